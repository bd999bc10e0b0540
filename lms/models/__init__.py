"""All models, imported here so Alembic and the app see one metadata."""

from lms.models.access import ApiToken, RememberToken, SignInThrottle
from lms.models.accounts import Department, Organisation, OrganisationType, Partnership, Role, User
from lms.models.areas import JointGroup, ReportTarget, joint_group_partnership, organisation_partnership
from lms.models.audit import AuditEvent
from lms.models.base import Base, utcnow
from lms.models.content import Module, ModuleAsset, ModulePage, ModuleVersion
from lms.models.delivery import SessionAudience, TrainingSession
from lms.models.enrolment import Assignment, EmailDomain, JoinCode
from lms.models.interop import Installation, XapiOutbox, canonical_json
from lms.models.notices import Notice, NoticePreference
from lms.models.progress import Attempt, AttemptReset, Channel, Completion, LessonProgress, PageReview
from lms.models.sso import SingleSignOn, SsoIdentity

__all__ = [
    "ApiToken", "JointGroup", "ReportTarget", "joint_group_partnership", "organisation_partnership", "Assignment", "RememberToken", "EmailDomain", "JoinCode", "SignInThrottle", "XapiOutbox", "Installation", "canonical_json",
    "Attempt", "AttemptReset", "AuditEvent", "Base", "Channel", "Completion", "Department", "LessonProgress", "Module",
    "ModuleAsset", "Notice", "NoticePreference", "ModulePage", "PageReview", "ModuleVersion", "Organisation", "OrganisationType", "Partnership", "Role",
    "SessionAudience", "SingleSignOn", "SsoIdentity", "TrainingSession", "User", "utcnow",
]
