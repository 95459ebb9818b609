"""Imports every table module so `Base.metadata` is complete (for Alembic and tests)."""

from autoforge.audit import models as audit_models
from autoforge.datasets import models as dataset_models
from autoforge.db.base import Base
from autoforge.evaluations import models as evaluation_models
from autoforge.events import models as event_models
from autoforge.identity import models as identity_models
from autoforge.llm import models as llm_models
from autoforge.optimizations import models as optimization_models
from autoforge.prompts import models as prompt_models
from autoforge.secrets import models as secret_models
from autoforge.similarity import models as similarity_models
from autoforge.slos import models as slo_models
from autoforge.worker import models as worker_models

__all__ = [
    "Base",
    "audit_models",
    "dataset_models",
    "evaluation_models",
    "event_models",
    "identity_models",
    "llm_models",
    "optimization_models",
    "prompt_models",
    "secret_models",
    "similarity_models",
    "slo_models",
    "worker_models",
]
