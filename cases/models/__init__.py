from .archives import ArchiveEntry, ArchiveEntryKind
from .jurisdictions import Jurisdiction, Level
from .numbers import AuxiliaryNumber, SequenceCounter, AuxiliaryNumberKind, AuxiliaryNumberTemplate
from .registrations import (
    OPEN_STATUSES,
    ClassPromotion,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SchoolClass,
    school_year_of,
)
from .schools import (
    CATEGORY_STAGES,
    COMPULSORY_STAGES,
    HIGH_SCHOOL_STAGES,
    STAGE_YEARS,
    Ownership,
    School,
    SchoolCategory,
    Stage,
    Supervision,
)
from .staff import Office, Role, StaffProfile
from .statistics import OversightCell, StatisticsCell, StatisticsSnapshot
from .students import ETHNICITIES, Disability, Gender, Guardian, HouseholdType, RegistryNumberChange, Student

from .audit import RegistryLogEntry
from .calendar import CalendarOverride
from .cases import (
    ApprovalLevel,
    ApprovalSide,
    Case,
    CASE_TYPES_NAMING_DESTINATION,
    DECIDED_STATES,
    CaseState,
    CaseWorkflow,
    Evidence,
    RegistryApprovalTask,
    RegistryTaskState,
    TransferScope,
)
from .certificates import Certificate, CertificateKind, CertificatePrint, PrintJob, PrintJobStatus, RevokeKind
from .lookups import LookupLog, LookupOutcome
from .intake import DuplicateDecision, ExportLog, IntakeStatus, IntakeUpload, Verdict
from .jobs import JobRun, JobStatus
from .reads import ReadDoor, ReadLogEntry

__all__ = [name for name in dir() if not name.startswith("_")]
