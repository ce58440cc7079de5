"""Typed views of the API's JSON (snake_case, as the server sends it). Unknown fields are kept in ``raw``."""
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Type, TypeVar

T = TypeVar("T")


def _build(cls: Type[T], data: Dict[str, Any]) -> T:
    names = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names and k != "raw"}
    return cls(raw=data, **kwargs)  # type: ignore[call-arg]


@dataclass
class Model:
    id: str
    name: Optional[str] = None
    status: Optional[str] = None
    sha256: Optional[str] = None
    total_size: Optional[int] = None
    report: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Dataset:
    id: str
    name: Optional[str] = None
    format: Optional[str] = None
    status: Optional[str] = None
    size: Optional[int] = None
    report: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Job:
    id: str
    status: str
    name: Optional[str] = None
    model_id: Optional[str] = None
    dataset_id: Optional[str] = None
    config: Optional[Dict[str, Any]] = None
    progress: Optional[Dict[str, Any]] = None
    error: Optional[Dict[str, Any]] = None
    cancel_requested: bool = False
    evaluation_id: Optional[str] = None  # the final evaluation of a succeeded job with an eval dataset or validation_split
    device: Optional[str] = None  # where the latest attempt runs or ran: cpu, cuda:0, ...
    worker: Optional[str] = None  # the worker that claimed it (GET /v1/workers)
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


@dataclass
class Evaluation:
    id: str
    status: str
    model_id: Optional[str] = None
    job_id: Optional[str] = None
    dataset_id: Optional[str] = None
    task: Optional[str] = None
    metrics: Optional[Dict[str, Any]] = None
    error: Optional[Dict[str, Any]] = None
    cancel_requested: bool = False
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @property
    def accuracy(self) -> Optional[float]:
        return (self.metrics or {}).get("accuracy")


@dataclass
class Event:
    seq: int
    type: str
    from_status: Optional[str] = None
    to_status: Optional[str] = None
    code: Optional[str] = None
    message: Optional[str] = None
    data: Optional[Dict[str, Any]] = None
    created_at: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Metric:
    id: int
    step: Optional[int] = None
    epoch: Optional[float] = None
    split: Optional[str] = None
    loss: Optional[float] = None
    learning_rate: Optional[float] = None
    tokens_per_second: Optional[float] = None
    eval_metrics: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class ClassPrediction:
    label: str
    score: float
    probabilities: Dict[str, float]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Completion:
    completion: str
    finish_reason: str
    tokens: List[int]
    prompt_tokens: int = 0
    tokens_per_second: float = 0.0
    task: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


build = _build
