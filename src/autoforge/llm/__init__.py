"""The LLM gateway: every model call goes through `gateway.Gateway` (LiteLLM is imported
lazily). Import the submodules themselves: this package re-exports nothing, so that the
pure modules (`types`, `errors`) and the local model's child process (`model_child`) load
without the gateway, SQLAlchemy or LiteLLM behind it."""
