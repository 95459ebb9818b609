"""Domain events: raised by aggregates, stored in the outbox, published after commit."""
