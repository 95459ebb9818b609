"""A `ModelClient` for tests: deterministic answers, scripted failures, observable concurrency."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator

from autoforge.llm.errors import ModelCallError
from autoforge.llm.gateway import StreamPart
from autoforge.llm.pricing import Price
from autoforge.llm.types import Completion, CompletionRequest, ModelStatus


def echo(request: CompletionRequest) -> str:
    """The default answer: the last user message (or the prompt), reversed word by word."""
    if request.messages is not None:
        source = str(request.messages[-1].get("content", ""))
    else:
        source = request.prompt or ""
    return " ".join(reversed(source.split())) or "(empty)"


class FakeModelClient:
    def __init__(
        self,
        reply: Callable[[CompletionRequest], str] = echo,
        *,
        cost_per_token: float = 0.0,
        delay_s: float = 0.0,
        unavailable: Iterable[str] = (),
        unpriced: Iterable[str] = (),
    ) -> None:
        self.reply = reply
        self.cost_per_token = cost_per_token
        self.delay_s = delay_s
        self.unavailable = set(unavailable)
        # Models without a price: their calls report no cost (None), as LiteLLM's would.
        self.unpriced = set(unpriced)
        self.calls: list[CompletionRequest] = []
        self.max_active = 0
        self._active = 0
        self._failures: dict[str, deque[ModelCallError]] = defaultdict(deque)
        self._lock = threading.Lock()

    def fail(self, model: str, *errors: ModelCallError) -> None:
        """The next calls to `model` raise these errors, one per call, in order."""
        self._failures[model].extend(errors)

    def calls_to(self, model: str) -> int:
        return sum(1 for call in self.calls if call.model == model)

    def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        self._enter(request)
        try:
            if self.delay_s:
                time.sleep(min(self.delay_s, timeout_s))
            self._raise_scripted(request.model)
            return self._answer(request)
        finally:
            self._leave()

    def stream(self, request: CompletionRequest, *, timeout_s: float) -> Iterator[StreamPart]:
        self._enter(request)
        try:
            self._raise_scripted(request.model)
            answer = self._answer(request)
            words = answer.text.split(" ")
            for index, word in enumerate(words):
                yield word if index == 0 else f" {word}"
            yield answer
        finally:
            self._leave()

    def price(self, model: str) -> Price | None:
        if model in self.unpriced:
            return None
        per_million = self.cost_per_token * 1e6
        return Price(per_million, per_million)

    def status(self, model: str) -> ModelStatus:
        available = model not in self.unavailable
        return ModelStatus(model, available, "fake" if available else "switched off")

    def _answer(self, request: CompletionRequest) -> Completion:
        text = self.reply(request)
        source = request.as_input()
        tokens_in = len(str(source.get("messages", source.get("prompt", ""))).split())
        tokens_out = len(text.split())
        return Completion(
            text=text,
            model=request.model.split("/")[-1],
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            finish_reason="stop",
            cost_usd=None
            if request.model in self.unpriced
            else (tokens_in + tokens_out) * self.cost_per_token,
        )

    def _raise_scripted(self, model: str) -> None:
        with self._lock:
            scripted = self._failures[model]
            error = scripted.popleft() if scripted else None
        if error is not None:
            raise error

    def _enter(self, request: CompletionRequest) -> None:
        with self._lock:
            self.calls.append(request)
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1
