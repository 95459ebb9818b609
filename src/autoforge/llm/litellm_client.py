"""The one module that imports LiteLLM: the `ModelClient` for every provider and the local model.

LiteLLM is imported lazily, on the first model call: importing it costs seconds and
~165 MB, and without LITELLM_LOCAL_MODEL_COST_MAP it fetches a price map over the network.

Retries: the gateway owns the only retry loop (with fallbacks and per-model limits around
it, all testable with the fake client), so every call here passes `num_retries=0`, which
LiteLLM also hands to the provider SDK as `max_retries=0`. LiteLLM's Router is not used: its
retries, fallbacks and limits would duplicate the gateway's and sit out of the fakes' reach.

Provider keys: a call made for a project that stored one for the model's provider
(`secrets/`, e.g. OPENAI_API_KEY for `openai/...`) passes it as `api_key`; otherwise LiteLLM
reads the environment. Nothing here logs a key, and an error that quotes one is masked.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from autoforge.llm import local_model
from autoforge.llm.errors import (
    ModelCallError,
    ModelRequestError,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
    UnknownModelError,
)
from autoforge.llm.gateway import StreamPart
from autoforge.llm.local_model import LocalResult, LocalRunner
from autoforge.llm.pricing import Price
from autoforge.llm.types import Completion, CompletionRequest, ModelStatus

log = logging.getLogger(__name__)

# (project id, a name such as OPENAI_API_KEY) -> the key the project stored, or None.
ProviderKeyLookup = Callable[[str, str], str | None]
# Options that send a model to a server the operator chose: a project's key stays home.
_OPERATOR_ROUTED = frozenset({"api_key", "api_base", "base_url"})


@functools.cache
def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # no "Provider List" banners on errors
    litellm.drop_params = True  # a param a provider lacks is dropped, not fatal
    return litellm


# Every local model of this process, by key. LiteLLM has one handler per provider name, so
# the handler is told per call which model to run (`_LOCAL_KEY`); two apps in one process
# (tests, benchmarks) with different weights files then never answer with each other's.
_local_models: dict[str, LocalRunner] = {}
_LOCAL_KEY = "autoforge_local_model"


def register_local_model(model: LocalRunner) -> str:
    """Makes `local/gemma-3-270m` a LiteLLM model like any other, priced at 0."""
    litellm = _litellm()
    key = f"{model.config.path}#{id(model)}"
    _local_models[key] = model
    if not any(e["provider"] == local_model.PROVIDER for e in litellm.custom_provider_map):
        handler = _local_handler_class(litellm)()
        litellm.custom_provider_map = [
            *litellm.custom_provider_map,
            {"provider": local_model.PROVIDER, "custom_handler": handler},
        ]
    free = {
        "input_cost_per_token": 0.0,
        "output_cost_per_token": 0.0,
        "cache_creation_input_token_cost": 0.0,
        "cache_read_input_token_cost": 0.0,
        "litellm_provider": local_model.PROVIDER,
        "mode": "chat",
        "max_input_tokens": model.config.context,
        "max_output_tokens": model.config.context,
        "max_tokens": model.config.context,
    }
    litellm.register_model({local_model.GATEWAY_NAME: free})
    return key


class LiteLLMClient:
    """`model_options` are extra LiteLLM arguments per model, e.g. the `api_base` of an
    OpenAI-compatible server (`{"openai/qwen": {"api_base": "http://host:8001/v1"}}`), or
    `mock_response` in tests. The server's keys belong in the environment, where LiteLLM
    looks for them; `provider_keys` finds the key a project stored, if any.
    """

    def __init__(
        self,
        local: LocalRunner | None = None,
        *,
        model_options: Mapping[str, Mapping[str, Any]] | None = None,
        provider_keys: ProviderKeyLookup | None = None,
    ) -> None:
        self.local = local
        self.model_options = dict(model_options or {})
        self.provider_keys = provider_keys
        self._local_key: str | None = None
        self._register_lock = threading.Lock()

    def warm_up(self) -> None:
        """Imports LiteLLM and loads the local model now, so the first call is not the one
        that pays several seconds for both."""
        self._ready()
        if self.local is not None and self.local.availability()[0]:
            self.local.warm()

    def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        litellm = self._ready()
        arguments = self._arguments(request, timeout_s)
        try:
            if _as_chat(request):
                response = litellm.completion(messages=_messages(request), **arguments)
                choice = response.choices[0]
                text = choice.message.content or ""
            else:
                response = litellm.text_completion(prompt=request.prompt, **arguments)
                choice = response.choices[0]
                text = choice.text or ""
        except Exception as exc:
            key = arguments.get("api_key")
            # Not chained when a key was passed: a logged traceback would print exc whole.
            raise _failure(litellm, exc, key) from (None if key else exc)
        usage = response.usage
        return Completion(
            text=text,
            model=str(response.model or request.model),
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
            finish_reason=str(choice.finish_reason or "stop"),
            cost_usd=_response_cost(litellm, response),
        )

    def stream(self, request: CompletionRequest, *, timeout_s: float) -> Iterator[StreamPart]:
        litellm = self._ready()
        arguments = self._arguments(request, timeout_s)
        arguments.update(stream=True, stream_options={"include_usage": True})
        pieces: list[str] = []
        finish, model, usage = "stop", request.model, None
        try:
            if _as_chat(request):
                chunks = litellm.completion(messages=_messages(request), **arguments)
            else:
                chunks = litellm.text_completion(prompt=request.prompt, **arguments)
            for chunk in chunks:
                model = str(getattr(chunk, "model", None) or model)
                usage = getattr(chunk, "usage", None) or usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                piece = _delta_text(choice)
                finish = str(getattr(choice, "finish_reason", None) or finish)
                if piece:
                    pieces.append(piece)
                    yield piece
        except Exception as exc:
            key = arguments.get("api_key")
            # Not chained when a key was passed: a logged traceback would print exc whole.
            raise _failure(litellm, exc, key) from (None if key else exc)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = _token_cost(litellm, request.model, tokens_in, tokens_out)
        yield Completion("".join(pieces), model, tokens_in, tokens_out, finish, cost)

    def price(self, model: str) -> Price | None:
        """LiteLLM's price for `model` (the gateway's `Pricing` asks, with LLM_PRICES first)."""
        return litellm_price(self._ready(), model)

    def status(self, model: str) -> ModelStatus:
        if _is_local(model):
            if self.local is None or model != local_model.GATEWAY_NAME:
                return ModelStatus(model, False, "no such local model")
            available, detail = self.local.availability()
            status = getattr(self.local, "status", None)  # a supervised process reports more
            process = status().as_dict() if callable(status) else None
            return ModelStatus(model, available, detail, process=process)
        litellm = _litellm()
        try:
            litellm.get_llm_provider(model)
        except Exception:
            return ModelStatus(model, False, "LiteLLM knows no provider for this name")
        check = litellm.validate_environment(model=model)
        if check.get("keys_in_environment"):
            return ModelStatus(model, True, "credentials found in the environment")
        missing = ", ".join(check.get("missing_keys") or [])
        return ModelStatus(model, False, f"missing from the environment: {missing}")

    def _arguments(self, request: CompletionRequest, timeout_s: float) -> dict[str, Any]:
        arguments = dict(self.model_options.get(request.model, {}))
        arguments.update({k: v for k, v in request.params.items() if v is not None})
        arguments.update(model=request.model, timeout=timeout_s, num_retries=0)
        if _is_local(request.model):
            arguments[_LOCAL_KEY] = self._local_key
            if request.prompt is not None:
                arguments["text_completion"] = True  # the flag `text_completion()` itself sets
        elif not _OPERATOR_ROUTED & arguments.keys():
            stored = self._stored_key(request)
            if stored is not None:
                arguments["api_key"] = stored
        return arguments

    def _stored_key(self, request: CompletionRequest) -> str | None:
        if self.provider_keys is None or request.project_id is None:
            return None
        name = provider_key_name(request.model)
        return self.provider_keys(request.project_id, name) if name else None

    def _ready(self) -> Any:
        litellm = _litellm()
        if self.local is not None and self._local_key is None:
            with self._register_lock:
                if self._local_key is None:
                    self._local_key = register_local_model(self.local)
        return litellm


def provider_key_name(model: str) -> str | None:
    """The environment variable LiteLLM reads the model's key from, by its rule
    `<PROVIDER>_API_KEY`: OPENAI_API_KEY for `openai/...` (and bare `gpt-4o`), and so on."""
    if _is_local(model):
        return None
    provider = model.split("/", 1)[0] if "/" in model else None
    if provider is None:
        try:
            provider = str(_litellm().get_llm_provider(model)[1])
        except Exception:
            return None
    return re.sub(r"[^A-Z0-9]", "_", provider.upper()) + "_API_KEY"


def _failure(litellm: Any, exc: Exception, api_key: str | None) -> ModelCallError:
    """`translate`, with the key masked wherever the provider's message quotes it."""
    error = translate(litellm, exc)
    if api_key:
        error.detail = error.detail.replace(api_key, f"…{api_key[-4:]}")
        error.args = (error.detail,)
    return error


def _is_local(model: str) -> bool:
    return model.split("/", 1)[0] == local_model.PROVIDER


def _as_chat(request: CompletionRequest) -> bool:
    # A prompt for the local model goes through `completion` flagged as text, which is all
    # `text_completion()` does for a custom provider, minus pricing the answer a second time
    # on the way out (0.7 ms of a 2 ms call, measured).
    return request.messages is not None or _is_local(request.model)


def _messages(request: CompletionRequest) -> list[Any]:
    if request.messages is not None:
        return list(request.messages)
    return [{"role": "user", "content": request.prompt}]


def _delta_text(choice: Any) -> str:
    delta = getattr(choice, "delta", None)
    if delta is not None:
        return str(getattr(delta, "content", None) or "")
    text = choice.get("text") if isinstance(choice, Mapping) else getattr(choice, "text", None)
    return str(text or "")


def _response_cost(litellm: Any, response: Any) -> float | None:
    """What LiteLLM priced the answer at, or None: a model it has no price for is unpriced,
    not free (the gateway applies LLM_PRICES over this)."""
    # LiteLLM prices every response as it builds it; recomputing would double the overhead.
    hidden = getattr(response, "_hidden_params", None) or {}
    cost = hidden.get("response_cost")
    if cost is None:
        try:
            cost = litellm.completion_cost(completion_response=response)
        except Exception:
            log.debug("no price known for %s; the call is unpriced", response.model)
            return None
    return None if cost is None else float(cost)


def _token_cost(litellm: Any, model: str, tokens_in: int, tokens_out: int) -> float | None:
    try:
        cost_in, cost_out = litellm.cost_per_token(
            model=model, prompt_tokens=tokens_in, completion_tokens=tokens_out
        )
    except Exception:
        log.debug("no price known for %s; the call is unpriced", model)
        return None
    return float(cost_in + cost_out)


def litellm_price(litellm: Any, model: str) -> Price | None:
    """LiteLLM's list price for `model` (its `model_cost` table), or None."""
    try:
        info = litellm.get_model_info(model=model)
    except Exception:
        return None
    cost_in, cost_out = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    if cost_in is None or cost_out is None:
        return None
    return Price(float(cost_in) * 1e6, float(cost_out) * 1e6)


def translate(litellm: Any, exc: Exception) -> ModelCallError:
    """LiteLLM's exception classes (OpenAI's, mostly) onto the gateway's provider-neutral ones."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        # Our own errors (the local model's) come back wrapped in LiteLLM's classes.
        if isinstance(cause, ModelCallError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    message = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, litellm.RateLimitError):
        return RateLimited(message, retry_after_s=_retry_after(exc))
    if isinstance(exc, litellm.Timeout):
        return ModelTimeout(message)
    if isinstance(exc, litellm.BadRequestError) and "LLM Provider NOT provided" in message:
        return UnknownModelError(message.split("\n", 1)[0])
    request_errors = (
        litellm.BadRequestError,
        litellm.AuthenticationError,
        litellm.PermissionDeniedError,
        litellm.NotFoundError,
        litellm.UnprocessableEntityError,
    )
    if isinstance(exc, request_errors):
        return ModelRequestError(message)
    return ModelUnavailable(message)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        value = headers.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _local_handler_class(litellm: Any) -> type:
    """Defined on demand: subclassing `CustomLLM` needs LiteLLM imported."""

    class LocalModelHandler(litellm.CustomLLM):  # type: ignore[misc]
        @staticmethod
        def _model(params: dict[str, Any]) -> LocalRunner:
            key = params.pop(_LOCAL_KEY, None)
            if key in _local_models:
                return _local_models[key]
            if not _local_models:
                raise litellm.ServiceUnavailableError(
                    message="no local model is registered",
                    model=local_model.MODEL_NAME,
                    llm_provider=local_model.PROVIDER,
                )
            # Called through LiteLLM directly, without a gateway: the latest model serves.
            return list(_local_models.values())[-1]

        def _prompt(self, messages: list[Any], litellm_params: Any) -> tuple[str, bool]:
            # `text_completion` arrives here as a single user message and this flag; its
            # prompt goes to the base model verbatim, without the chat transcript around it.
            if (litellm_params or {}).get("text_completion"):
                return local_model.text_of(messages[0].get("content")), False
            return local_model.chat_prompt(messages), True

        def completion(self, *args: Any, **kwargs: Any) -> Any:
            prompt, chat = self._prompt(kwargs["messages"], kwargs.get("litellm_params"))
            params = dict(kwargs.get("optional_params") or {})
            try:
                result = self._model(params).complete(
                    prompt,
                    params,
                    chat=chat,
                    timeout_s=_seconds(kwargs.get("timeout")),
                )
            except ModelCallError as exc:
                raise _as_litellm(litellm, exc) from exc
            return _model_response(litellm, result)

        def streaming(self, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
            prompt, chat = self._prompt(kwargs["messages"], kwargs.get("litellm_params"))
            params = dict(kwargs.get("optional_params") or {})
            parts = self._model(params).stream(
                prompt,
                params,
                chat=chat,
                timeout_s=_seconds(kwargs.get("timeout")),
            )
            try:
                for part in parts:
                    yield _generic_chunk(part)
            except ModelCallError as exc:
                raise _as_litellm(litellm, exc) from exc

    return LocalModelHandler


def _seconds(timeout: Any) -> float:
    if isinstance(timeout, int | float):
        return float(timeout)
    read = getattr(timeout, "read", None)
    return float(read) if read else 600.0


def _as_litellm(litellm: Any, exc: ModelCallError) -> Exception:
    kwargs = {"model": local_model.MODEL_NAME, "llm_provider": local_model.PROVIDER}
    if isinstance(exc, ModelTimeout):
        return litellm.Timeout(message=exc.detail, **kwargs)  # type: ignore[no-any-return]
    return litellm.ServiceUnavailableError(message=exc.detail, **kwargs)  # type: ignore[no-any-return]


def _model_response(litellm: Any, result: LocalResult) -> Any:
    return litellm.ModelResponse(
        model=local_model.MODEL_NAME,
        choices=[
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": result.finish_reason,
            }
        ],
        usage={
            "prompt_tokens": result.tokens_in,
            "completion_tokens": result.tokens_out,
            "total_tokens": result.tokens_in + result.tokens_out,
        },
    )


def _generic_chunk(part: str | LocalResult) -> dict[str, Any]:
    if isinstance(part, str):
        return {
            "text": part,
            "is_finished": False,
            "finish_reason": "",
            "usage": None,
            "index": 0,
            "tool_use": None,
        }
    return {
        "text": "",
        "is_finished": True,
        "finish_reason": part.finish_reason,
        "usage": {
            "prompt_tokens": part.tokens_in,
            "completion_tokens": part.tokens_out,
            "total_tokens": part.tokens_in + part.tokens_out,
        },
        "index": 0,
        "tool_use": None,
    }


class LiteLLMEmbedder:
    """A provider's embeddings (`EMBEDDING_MODEL`, any LiteLLM embedding model), asked for
    DIMENSION-wide vectors: the vector index holds F32_BLOB(384). Models that take a
    `dimensions` argument (OpenAI's text-embedding-3 family, for one) can; any other
    answer is refused with a clear error rather than stored. Texts go `batch_size` to a
    request (providers cap a request's inputs)."""

    def __init__(
        self, model: str, options: dict[str, Any] | None = None, *, batch_size: int = 64
    ) -> None:
        self.name = model
        self._options = dict(options or {})
        self._batch_size = batch_size

    @property
    def loaded(self) -> bool:
        return True  # nothing to load here: the provider holds the model

    def load(self) -> None:
        return None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        from autoforge.evaluations.embeddings import DIMENSION

        batches = [
            self._embed_batch(list(texts[i : i + self._batch_size]))
            for i in range(0, len(texts), self._batch_size)
        ]
        if not batches:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        rows = np.concatenate(batches)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return np.asarray(rows / np.where(norms == 0, 1, norms), dtype=np.float32)

    def _embed_batch(self, texts: list[str]) -> NDArray[np.float32]:
        from autoforge.evaluations.embeddings import DIMENSION, EmbeddingModelUnavailable

        litellm = _litellm()
        try:
            response = litellm.embedding(
                model=self.name, input=texts, dimensions=DIMENSION, **self._options
            )
        except Exception as exc:
            raise translate(litellm, exc) from None
        rows = np.asarray([item["embedding"] for item in response.data], dtype=np.float32)
        if rows.ndim != 2 or rows.shape[0] != len(texts):
            raise EmbeddingModelUnavailable(
                f"{self.name} answered {rows.shape[0] if rows.ndim else 0} vectors for "
                f"{len(texts)} texts"
            )
        if rows.shape[1] != DIMENSION:
            raise EmbeddingModelUnavailable(
                f"{self.name} returned {rows.shape[1]}-float vectors; the vector index holds "
                f"{DIMENSION}: choose a model that takes `dimensions`, or unset "
                "EMBEDDING_MODEL for the bundled MiniLM"
            )
        return rows
