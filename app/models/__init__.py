"""SQLAlchemy models: the schema of record (Alembic migrations are generated from these)."""

from app.models.authentication import DocumentAuthentication
from app.models.base import Base
from app.models.calendar import CalendarOverride
from app.models.catalog import DocumentType, Fee, Procedure
from app.models.citizens import CitizenAccount, PaperShipment
from app.models.documents import Document, DossierComponent
from app.models.dossier import Dossier, DossierSequence
from app.models.events import AuditEvent
from app.models.fees import DossierFee
from app.models.national_catalog import CatalogSync, NationalEntry
from app.models.notifications import Notification
from app.models.org import Agency, Role, User, UserRole
from app.models.outbox import Incident, OutboxMessage
from app.models.process import ModelDraft, ModelVersion, ProcessInstance, ProcessModel
from app.models.reorganisation import AdminUnit, ReorgItem, ReorgPlan
from app.models.result_drafts import ResultDraft
from app.models.saved_filters import SavedFilter
from app.models.sector import SectorRegistration
from app.models.sessions import LoginSession
from app.models.task_counts import TaskCount, TaskCountChange, TaskCountUnit
from app.models.tasks import HumanTask

__all__ = [
    "AdminUnit",
    "Agency",
    "AuditEvent",
    "Base",
    "CalendarOverride",
    "CatalogSync",
    "CitizenAccount",
    "Document",
    "DocumentAuthentication",
    "DocumentType",
    "Dossier",
    "DossierComponent",
    "DossierFee",
    "DossierSequence",
    "Fee",
    "HumanTask",
    "Incident",
    "LoginSession",
    "ModelDraft",
    "ModelVersion",
    "NationalEntry",
    "Notification",
    "OutboxMessage",
    "PaperShipment",
    "ProcessInstance",
    "ProcessModel",
    "Procedure",
    "ReorgItem",
    "ReorgPlan",
    "ResultDraft",
    "Role",
    "SavedFilter",
    "TaskCount",
    "TaskCountChange",
    "TaskCountUnit",
    "SectorRegistration",
    "User",
    "UserRole",
]
