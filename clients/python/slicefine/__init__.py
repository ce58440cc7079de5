"""SliceFine's Python client: standard library only, Python 3.9+."""
from .client import Client
from .errors import (Conflict, FieldError, InvalidRequest, JobFailed, NotFound, SliceFineError, Unavailable)
from .types import ClassPrediction, Completion, Dataset, Evaluation, Event, Job, Metric, Model

__all__ = ["Client", "SliceFineError", "NotFound", "InvalidRequest", "Conflict", "Unavailable", "JobFailed",
           "FieldError", "Model", "Dataset", "Job", "Evaluation", "Event", "Metric", "ClassPrediction", "Completion"]
__version__ = "0.1.0"
