"""Imports every model so that metadata (and Alembic) sees all tables."""

from app.core.audit import AuditEntry  # noqa: F401
from app.core.jobs import JobRun  # noqa: F401
from app.modules.accounts.models import ApiToken, LoginLog, Organisation, RoleGrant, User  # noqa: F401
from app.modules.agreements.models import Agreement, AgreementRenewal, AgreementVersion  # noqa: F401
from app.modules.applications.models import (  # noqa: F401
    Application,
    ApplicationRound,
    ApplicationRow,
    Attachment,
    Counter,
    Level2Supplement,
    RowRegion,
    RowService,
    SocialSupplement,
)
from app.modules.channel_import.models import ChannelImport, ImportedRecord  # noqa: F401
from app.modules.channels.models import Channel, ContactChange, Service  # noqa: F401
from app.modules.documents.models import Document  # noqa: F401
from app.modules.exits.models import DeletionCertificate, Exit, ExitOpinion  # noqa: F401
from app.modules.incidents.models import (  # noqa: F401
    GatewayRefusal,
    Incident,
    IncidentEvidence,
    Rectification,
    ServiceSuspension,
)
from app.modules.key_issuance.models import ChannelKey, GatewayNonce, KeyEvent  # noqa: F401
from app.modules.messaging.models import Delivery, Message, MessageTemplate  # noqa: F401
from app.modules.monitoring.models import (  # noqa: F401
    EvaluationRun,
    ImprovementPlan,
    MissingReport,
    MonitoringEvent,
    MonitoringRecord,
    MonthlyStatistic,
)
from app.modules.notices.models import ChannelNotice, NoticeRecipient, PlatformNotice  # noqa: F401
from app.modules.production.models import Recording, RecordingCheck  # noqa: F401
from app.modules.promotions.models import Promotion  # noqa: F401
from app.modules.regions.models import Region  # noqa: F401
from app.modules.reviews.models import ReviewStep  # noqa: F401
from app.modules.security_tests.models import (  # noqa: F401
    Institution,
    Qualification,
    ReportNotice,
    SecurityReport,
    SpotCheck,
)
from app.modules.work_orders.models import WorkOrder, WorkOrderEntry  # noqa: F401
