"""Composition root: the only module that knows which adapters exist and picks them from the settings.

It builds the product's services (``build_services``) and what the ``vce`` aws commands need (the SSM parameter
store, the doctor's checks, the table creator, the flow publisher); everything else receives what it needs from here.
Every boto3 client those commands and aws mode's settings use comes from :func:`aws_client` (tests replace it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.domain.connect_arns import (
    InstanceArn,
    parse_instance_arn,
    parse_routing_profile_arn,
    parse_security_profile_arn,
)
from backend.domain.errors import InvalidInput
from backend.domain.hours_of_operation import HoursCalendar, load_hours
from backend.domain.recording import ConsentPolicy
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.flows.extensions import FlowExtensions
from backend.ports import (
    AgentDirectory,
    AgentLookup,
    AgentStore,
    AttemptCounter,
    ConnectFederation,
    ContactAssignments,
    ContactNotes,
    ContactStore,
    LeaseStore,
    LoginAttemptCounter,
    MeetingProvider,
    RecordingArchive,
    RecordingCapture,
    RecordingStore,
    ReferenceStore,
)
from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.bundle import Services
from backend.services.ccp_login import CcpLoginService
from backend.services.customer_chat import CustomerChatService
from backend.services.login_throttle import LoginPolicy, LoginThrottle
from backend.services.media_links import MediaLinks
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from backend.services.rate_limits import NetworkKeys, NetworkRateLimiter, RateLimit
from backend.services.readiness import ReadinessCheck
from backend.services.recording_library import RecordingLibrary
from backend.services.recordings import RecordingPolicy, RecordingService
from backend.services.references import ReferencePolicy, ReferenceService
from backend.services.single_sign_on import SingleSignOnService
from backend.services.start_limits import StartLimits, StartPolicy
from backend.services.voice import VoiceService
from backend.settings import BootstrapSettings, Settings
from backend.settings.ssm_source import settings_from_ssm

if TYPE_CHECKING:
    from backend.adapters.aws.agent_accounts import ConnectCognitoAgents, CreatedAgent
    from backend.adapters.aws.connect_chat import ConnectCustomerChannel
    from backend.adapters.aws.connect_chat_api import ConnectChatApi
    from backend.adapters.aws.connect_flows import ConnectFlowPublisher
    from backend.adapters.aws.connect_users import ConnectUserDirectory
    from backend.adapters.aws.doctor import CheckResult
    from backend.adapters.aws.dynamo_store import DynamoStore
    from backend.adapters.aws.dynamo_table import TableStatus
    from backend.adapters.aws.pilot import Finding as PilotFinding
    from backend.adapters.aws.ssm_parameters import SsmParameters

log = logging.getLogger('vce')

AwsClients = Callable[[str, str], Any]  # (service, region) -> boto3 client


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; in aws mode also from SSM Parameter Store (``vce configure``), env winning."""
    boot = BootstrapSettings(**{k: v for k, v in overrides.items() if k in BootstrapSettings.model_fields})  # type: ignore[arg-type]
    if boot.mode != 'aws':
        return Settings(**overrides)  # type: ignore[arg-type]
    stored = ssm_parameter_store(boot.aws_region, boot.ssm_path).load()
    return settings_from_ssm(stored, boot.ssm_path, boot.aws_region, **overrides)


def aws_client(service: str, region: str) -> Any:
    """A boto3 client for the aws commands and for reading aws mode's settings, with the project's retry settings.

    The one place those clients come from, so tests swap in moto or Stubber clients by replacing this function."""
    from backend.adapters.aws.boto_clients import make_client

    return make_client(service, region)


def aws_client_as(service: str, region: str, credentials: Mapping[str, Any]) -> Any:
    """Like :func:`aws_client`, but running as the given STS credentials (the pilot's federated sign-in)."""
    from backend.adapters.aws.boto_clients import make_client

    return make_client(service, region, credentials=credentials)


def ssm_parameter_store(region: str, path: str) -> SsmParameters:
    """The aws-mode configuration hierarchy in SSM Parameter Store (``vce configure``, start-up, doctor)."""
    from backend.adapters.aws.ssm_parameters import SsmParameters

    return SsmParameters(aws_client('ssm', region), path)


def doctor_checks(values: Mapping[str, str], region: str, problems: Sequence[str]) -> list[CheckResult]:
    """``vce doctor``'s checks on the configuration in force and the AWS resources it names."""
    from backend.adapters.aws.doctor import DoctorContext, run_checks

    return run_checks(DoctorContext(values, region, problems, aws_client))


def create_table(region: str, name: str) -> TableStatus:
    """Create aws mode's DynamoDB table (or finish one half made); a failure is an AwsCallFailed saying what to do."""
    from backend.adapters.aws.dynamo_table import ensure_table
    from backend.adapters.aws.error_messages import describe

    try:
        return ensure_table(aws_client('dynamodb', region), name)
    except Exception as error:  # botocore errors: say which call failed and what to do
        raise describe('dynamodb:CreateTable', error) from error


def table_definition(name: str = 'VideoCallEscalation') -> tuple[dict[str, Any], str]:
    """The DynamoDB table's CreateTable parameters (keys, index, billing) and its TTL attribute: ``deploy/``
    builds the same table as ``vce create-table``."""
    from backend.adapters.aws.dynamo_table import TTL_ATTRIBUTE
    from backend.adapters.aws.dynamo_table import table_definition as definition

    return definition(name), TTL_ATTRIBUTE


def secret_value(region: str, secret_id: str) -> str:
    """A Secrets Manager secret's value (``vce deploy`` reads the secrets it made, for the doctor's checks)."""
    from backend.adapters.aws.secrets import read_secret

    return read_secret(aws_client('secretsmanager', region), secret_id)


def aws_agent_accounts(values: Mapping[str, str], region: str) -> ConnectCognitoAgents:
    """``vce agents add`` in aws mode: Connect user + Cognito user, from the configured instance, the agents'
    routing and security profiles and the Cognito pool of the OIDC discovery URL (``vce deploy`` stores them all)."""
    from backend.adapters.aws.agent_accounts import ConnectCognitoAgents
    from backend.adapters.aws.doctor.service_checks import COGNITO_DISCOVERY_RE

    needed = ('connectInstanceARN', 'connectAgentRoutingProfileARN', 'connectAgentSecurityProfileARN',
              'oidcDiscoveryURL')
    missing = [name for name in needed if not values.get(name)]
    if missing:
        raise InvalidInput(f'aws mode\'s `vce agents add` needs {", ".join(missing)} (`vce deploy` stores them; or '
                           '`vce configure`)')
    pool = COGNITO_DISCOVERY_RE.match(values['oidcDiscoveryURL'])
    if pool is None:
        raise InvalidInput('oidcDiscoveryURL is not a Cognito user pool\'s: `vce agents add` makes Cognito users '
                           'only; add the agent at your OIDC provider and in Connect')
    instance = parse_instance_arn(values['connectInstanceARN'])
    return ConnectCognitoAgents(
        aws_client('connect', instance.region), aws_client('cognito-idp', pool['region']),
        instance_id=instance.instance_id,
        routing_profile_id=parse_routing_profile_arn(values['connectAgentRoutingProfileARN']).resource_id,
        security_profile_id=parse_security_profile_arn(values['connectAgentSecurityProfileARN']).resource_id,
        user_pool_id=pool['pool'])


def add_aws_agent(values: Mapping[str, str], region: str, *, username: str, display_name: str, email: str,
                  password: str, supervisor: bool = False) -> CreatedAgent:
    """Create an aws-mode agent (Connect user + Cognito user, or neither); an AwsCallFailed says what failed. A
    supervisor's Cognito user also joins the supervisor group (VCE_OIDC_SUPERVISOR_GROUP), whose claim the login
    reads."""
    from backend.adapters.aws.agent_accounts import NewAgent

    group = Settings(demo=True).oidc_supervisor_group if supervisor else ''
    return aws_agent_accounts(values, region).add(NewAgent(username=username, display_name=display_name,
                                                           email=email, password=password, group=group))


def flow_publisher(instance: InstanceArn) -> ConnectFlowPublisher:
    """Creates or updates the flows in the Connect instance (``vce flows export --create-or-update``)."""
    from backend.adapters.aws.connect_flows import ConnectFlowPublisher

    return ConnectFlowPublisher(aws_client('connect', instance.region), instance.instance_id)


def hours_of_operation(settings: Settings) -> HoursCalendar:
    """CheckHoursOfOperation's calendar: the configured file, or none (every queue open, like Connect's default)."""
    path = settings.hours_of_operation_path
    if path is None:
        return HoursCalendar()
    try:
        text = path.read_text(encoding='utf-8')
    except OSError as error:
        raise InvalidInput(f'cannot read the hours of operation {path}: {error.strerror or error}') from None
    return load_hours(text)


def claim_data_folder(settings: Settings) -> Callable[[], None] | None:
    """Local mode: hold the data folder for this process's life, or raise ``DataFolderInUse`` at once (one process
    per folder, by design; ``adapters/local/data_folder_lock.py``). aws mode keeps no data folder: None. The lock
    goes when the process ends, or when the returned function is called."""
    if settings.mode == 'aws':
        return None
    from backend.adapters.local.data_folder_lock import DataFolderLock

    return DataFolderLock(settings.data_dir).release


def build_accounts(settings: Settings) -> AccountService:
    """Accounts alone, for the CLI: no engine, no flows."""
    from backend.adapters.local.passwords import Argon2PasswordHasher
    from backend.adapters.local.sqlite_store import SqliteStore

    return AccountService(SqliteStore(settings.database_path), Argon2PasswordHasher(), settings.standard_queue)


def build_services(settings: Settings, *, aws_clients: AwsClients | None = None,
                   flow_extensions: FlowExtensions | None = None) -> Services:
    """Every service for the settings' mode. ``aws_clients(service, region)`` makes the boto3 clients (tests inject
    stubbed or moto-backed ones; by default botocore's standard retry mode, short timeouts). ``flow_extensions``
    are the Python callables the local engine runs for the flows' Lambda functions and cloud-only actions (in aws
    mode Amazon Connect runs the real ones)."""
    if settings.mode == 'aws':
        return _build_aws_services(settings, aws_clients or _default_aws_clients())
    from backend.adapters.local.contact_assignments import DeskContactAssignments
    from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
    from backend.adapters.local.meetings import LocalMeetingProvider
    from backend.adapters.local.sqlite_store import SqliteStore

    store = SqliteStore(settings.database_path)
    bus = build_event_bus(settings)
    extensions = flow_extensions or FlowExtensions()
    flows = load_flow_library(settings.flows_dir, handled_types=extensions.handled_types)
    engine = LocalContactCentre(store, bus, flows, EngineConfig(
        inbound_flow=settings.inbound_chat_flow, standard_queue=settings.standard_queue,
        queue_max_contacts=settings.queue_max_contacts, chat_concurrency=settings.chat_concurrency,
        offer_timeout=settings.offer_timeout_seconds, inbound_voice_flow=settings.inbound_voice_flow),
        hours=hours_of_operation(settings), extensions=extensions)
    references = build_references(settings, store, store)
    customer_chat = CustomerChatService(engine, store, references, bus,
                                        limits=build_chat_limits(settings, store, store),
                                        disconnect_grace_seconds=settings.customer_disconnect_grace_seconds)
    agent_desk = AgentDeskService(engine, bus)
    media = MediaSessions(_meeting_provider(settings, aws_clients), store, bus)
    assignments = DeskContactAssignments(engine)
    meetings = MeetingService(media, assignments, engine, customer_chat, bus)
    recordings, library, close_recordings = _recordings(settings, media, assignments, engine, customer_chat, bus,
                                                        transcripts=store, clients=aws_clients)
    # the local engine's phone line is browser WebRTC whatever VCE_MEETING_BACKEND says
    voice = VoiceService(engine, store, MediaSessions(LocalMeetingProvider(), store, bus), engine, agent_desk, bus,
                         limits=build_call_limits(settings, store, store),
                         disconnect_grace_seconds=settings.customer_disconnect_grace_seconds)

    async def start() -> None:
        await bus.start()
        await engine.start()
        customer_chat.start()
        meetings.start()
        voice.start()
        recordings.start()
        library.start()

    async def stop() -> None:
        await library.stop()
        await recordings.stop()
        await voice.stop()
        await meetings.stop()
        await customer_chat.stop()
        await engine.stop()
        close_recordings()
        await bus.stop()
        store.close()

    return Services(settings=settings, accounts=build_login_accounts(settings, store),
                    customer_chat=customer_chat, agent_desk=agent_desk, meetings=meetings, references=references,
                    voice=voice, start=start, stop=stop, single_sign_on=build_single_sign_on(settings, store),
                    readiness=ReadinessCheck(store), recordings=recordings, recording_library=library)


@dataclass
class _AwsChat:
    """aws mode's customer chat and what it stands on; the server and ``vce doctor --pilot`` build it alike."""

    connect: Any
    store: DynamoStore
    bus: EventBus
    directory: ConnectUserDirectory
    references: ReferenceService
    api: ConnectChatApi
    channel: ConnectCustomerChannel
    customer_chat: CustomerChatService


def _aws_chat(settings: Settings, clients: AwsClients, bus: EventBus | None = None) -> _AwsChat:
    from backend.adapters.aws.connect_chat import ConnectCustomerChannel
    from backend.adapters.aws.connect_chat_api import ConnectChatApi
    from backend.adapters.aws.connect_users import ConnectUserDirectory
    from backend.adapters.aws.dynamo_store import DynamoStore

    _require_aws_settings(settings)
    region, connect_region = settings.aws_region, settings.ccp_region
    instance_id = settings.connect_instance_id
    connect = clients('connect', connect_region)
    store = DynamoStore(settings.dynamodb_table, client=clients('dynamodb', region))
    bus = bus or EventBus()  # the pilot's chat is its own; the server's bus comes from build_event_bus
    directory = ConnectUserDirectory(connect, instance_id=instance_id)
    references = build_references(settings, store, directory)  # references route to Connect users
    api = ConnectChatApi(connect, clients('connectparticipant', connect_region), region=connect_region,
                         instance_id=instance_id, chat_flow_id=settings.connect_chat_flow_id,
                         chat_duration_minutes=settings.connect_chat_duration_minutes)
    channel = ConnectCustomerChannel(api, bus, store, store)
    return _AwsChat(connect, store, bus, directory, references, api, channel,
                    CustomerChatService(channel, store, references, bus,
                                        limits=build_chat_limits(settings, store, store),
                                        disconnect_grace_seconds=settings.customer_disconnect_grace_seconds))


def _build_aws_services(settings: Settings, clients: AwsClients) -> Services:
    """aws mode (docs/aws/wiring.md): Amazon Connect for chats and agents, Chime SDK meetings, DynamoDB, OIDC."""
    from backend.adapters.aws.connect_contacts import ConnectContactAssignments, ConnectContactNotes

    chat = _aws_chat(settings, clients, build_event_bus(settings))
    connect, store, bus, directory, channel = chat.connect, chat.store, chat.bus, chat.directory, chat.channel
    references, customer_chat, instance_id = chat.references, chat.customer_chat, settings.connect_instance_id
    notes = ConnectContactNotes(connect, instance_id=instance_id)
    assignments = ConnectContactAssignments(connect, directory, instance_id=instance_id, sessions=store)
    media = MediaSessions(_meeting_provider(settings, clients), store, bus)
    meetings = MeetingService(media, assignments, notes, customer_chat, bus)
    recordings, library, close_recordings = _recordings(settings, media, assignments, notes, customer_chat, bus,
                                                        transcripts=store, clients=clients,
                                                        recording_store=_dynamo_recordings(settings, clients))

    async def start() -> None:
        await bus.start()
        customer_chat.start()
        meetings.start()
        recordings.start()
        library.start()

    async def stop() -> None:
        await library.stop()
        await recordings.stop()
        close_recordings()
        await meetings.stop()
        await customer_chat.stop()
        await channel.stop()
        await bus.stop()
        notes.close()
        store.close()

    return Services(settings=settings, accounts=build_login_accounts(settings, store, shared_counter=store),
                    customer_chat=customer_chat, agent_desk=None, meetings=meetings, references=references, voice=None,
                    start=start, stop=stop, single_sign_on=build_single_sign_on(settings, store, directory),
                    ccp_login=_ccp_login(settings, clients), readiness=ReadinessCheck(store), recordings=recordings,
                    recording_library=library)


def _dynamo_recordings(settings: Settings, clients: AwsClients) -> RecordingStore:
    from backend.adapters.aws.dynamo_recordings import DynamoRecordingStore

    return DynamoRecordingStore(clients('dynamodb', settings.aws_region), settings.dynamodb_table)


def _recordings(settings: Settings, media: MediaSessions, assignments: ContactAssignments, notes: ContactNotes,
                customers: CustomerChatService, bus: EventBus, *, transcripts: ContactStore,
                clients: AwsClients | None, recording_store: RecordingStore | None = None
                ) -> tuple[RecordingService, RecordingLibrary, Callable[[], None]]:
    """Recording (docs/recording.md): Chime meetings through media pipelines into the S3 bucket (none configured:
    recording is unavailable), local meetings through the agent's browser into the data folder."""
    close: Callable[[], None] = lambda: None  # noqa: E731
    capture: RecordingCapture | None = None
    available = True
    archive: RecordingArchive
    if media.backend == 'chime':
        from backend.adapters.aws.chime_media_pipelines import SERVICE as PIPELINES
        from backend.adapters.aws.chime_media_pipelines import ChimeMediaCapture
        from backend.adapters.aws.s3_recordings import S3RecordingFiles

        bucket = settings.recording_bucket
        available = bool(bucket)
        if bucket:
            make = clients or _default_aws_clients()
            capture = ChimeMediaCapture(make(PIPELINES, settings.aws_region), bucket=bucket)
            archive = S3RecordingFiles(make('s3', settings.aws_region), bucket=bucket)
        else:  # nothing can be recorded, so nothing is stored: no client is needed
            archive = S3RecordingFiles(None, bucket='')
            log.info('recordings.unavailable: Chime meetings record into VCE_RECORDING_BUCKET, which is not set')
    else:
        from backend.adapters.local.recording_files import LocalRecordingFiles

        archive = LocalRecordingFiles(settings.recordings_dir)
    if recording_store is None:
        from backend.adapters.local.sqlite_recordings import SqliteRecordingStore

        local_store = SqliteRecordingStore(settings.database_path)
        recording_store, close = local_store, local_store.close
    policy = RecordingPolicy(consent=ConsentPolicy(settings.recording_consent_policy),
                             public_base_url=settings.agent_public_url)
    service = RecordingService(recording_store, archive, capture, media, assignments, customers, notes, bus, policy,
                               available=available, backend='chime' if media.backend == 'chime' else 'browser')
    links = MediaLinks(settings.storage_secret.get_secret_value().encode(), ttl_seconds=settings.recording_link_seconds)
    library = RecordingLibrary(recording_store, archive, transcripts, links,
                               link_seconds=settings.recording_link_seconds,
                               retention_days=settings.recording_retention_days)
    return service, library, close


def build_event_bus(settings: Settings) -> EventBus:
    """The event bus: in process, or over Redis when aws mode has ``VCE_REDIS_URL`` (several server processes behind
    a load balancer; docs/architecture.md, "The event bus"). Local mode is one process by design, so it never needs
    Redis."""
    url = settings.redis_url.get_secret_value()
    if not url:
        return EventBus()
    if settings.mode != 'aws':
        log.warning('event_bus.redis_ignored: local mode is one process per data folder; VCE_REDIS_URL is for aws mode')
        return EventBus()
    try:
        from backend.adapters.redis.event_bus import RedisEventBus, connect
    except ImportError as missing:
        raise RuntimeError('VCE_REDIS_URL needs redis: pip install "video-call-escalation[aws]"') from missing
    log.info('event_bus.redis')
    return RedisEventBus(connect(url))


def _require_aws_settings(settings: Settings) -> None:
    missing = [name for name, value in (('VCE_CONNECT_INSTANCE_ID (or the instance ARN)', settings.connect_instance_id),
                                        ('VCE_CONNECT_CHAT_FLOW_ID', settings.connect_chat_flow_id),
                                        ('VCE_DYNAMODB_TABLE', settings.dynamodb_table)) if not value]
    if missing:
        raise InvalidInput(f'aws mode needs {", ".join(missing)}: set them with `vce configure` (SSM) or as '
                           'environment variables, then check them with `vce doctor`.')


def _ccp_login(settings: Settings, clients: AwsClients) -> CcpLoginService:
    instance = settings.connect_instance
    assert instance is not None  # the settings refuse aws mode without the instance URL
    return CcpLoginService(instance, settings.ccp_region, settings.connect_login_mode,
                           _federation(settings, clients))


def _federation(settings: Settings, clients: AwsClients,
                connect_as: Callable[[dict[str, Any]], Any] | None = None) -> ConnectFederation | None:
    """Federated CCP login's adapter (None in popup mode); ``connect_as(credentials)`` makes the Connect client
    that runs as the assumed role (by default a boto3 client with those credentials)."""
    if settings.connect_login_mode != 'federated':
        return None
    from backend.adapters.aws.connect_federation import ConnectFederationClient

    return ConnectFederationClient(instance_id=settings.connect_instance_id, region=settings.ccp_region,
                                   role_arn=settings.connect_federation_role_arn,
                                   sts_client=clients('sts', settings.ccp_region), connect_client_factory=connect_as)


async def run_pilot(settings: Settings, *, agent_username: str = '', timeout_seconds: float = 60.0,
                    heartbeat_seconds: float = 5.0) -> list[PilotFinding]:
    """``vce doctor --pilot``: the live smoke test on a sandbox instance, a verdict per row of docs/aws/fidelity.md.

    The product's own aws-mode pieces run it (customer chat, references, Chime provider, federation), with clients
    from :func:`aws_client` (tests replace it, and :func:`aws_client_as`, to run the pilot against fakes)."""
    from backend.adapters.aws.chime_media_region import MediaRegion
    from backend.adapters.aws.chime_meetings import SERVICE, ChimeMeetingProvider
    from backend.adapters.aws.pilot import PilotKit, PilotPlan
    from backend.adapters.aws.pilot import run_pilot as run
    from backend.adapters.aws.pilot.sign_in import post_sign_in
    from backend.domain.connect_arns import parse_queue_arn

    def clients(service: str, region: str) -> Any:
        return aws_client(service, region)  # looked up at each call: tests replace the module's function

    chat = _aws_chat(settings, clients)
    instance = settings.connect_instance
    assert instance is not None  # the settings refuse aws mode without the instance URL
    meetings = ChimeMeetingProvider(clients(SERVICE, settings.aws_region), region=settings.aws_region,
                                    media_region=MediaRegion(settings.chime_media_region, fallback=settings.aws_region))
    federation = _federation(settings, clients, lambda credentials: aws_client_as(
        'connect', settings.ccp_region, credentials))

    async def close() -> None:
        await chat.channel.stop()
        chat.store.close()

    kit = PilotKit(
        plan=PilotPlan(agent_username=agent_username, timeout_seconds=timeout_seconds,
                       heartbeat_seconds=heartbeat_seconds),
        api=chat.api, connect=chat.connect, chime=clients(SERVICE, settings.aws_region),
        instance_id=settings.connect_instance_id,
        basic_queue_id=parse_queue_arn(settings.connect_queue_arn).queue_id if settings.connect_queue_arn else '',
        customer_chat=chat.customer_chat, references=chat.references, directory=chat.directory, meetings=meetings,
        federation=federation, sign_in_url=instance.federation_sign_in_url, post_sign_in=post_sign_in, close=close)
    return await run(kit)


def _default_aws_clients() -> AwsClients:
    try:
        from backend.adapters.aws.boto_clients import make_app_client
    except ImportError as missing:
        raise RuntimeError('aws mode needs boto3: pip install "video-call-escalation[aws]"') from missing
    return make_app_client


def build_login_accounts(settings: Settings, store: AgentStore,
                         shared_counter: LoginAttemptCounter | None = None) -> AccountService:
    """Accounts with the password login's limits (docs/security/login.md). aws mode counts in the store
    (``shared_counter``: DynamoDB), so every server process behind the load balancer shares one set of counters;
    local mode is one process by design and counts in this process's memory, bounded by
    ``VCE_LOGIN_COUNTER_MAX_KEYS`` (``SqliteStore`` implements the same port, for a root that wants it)."""
    from backend.adapters.local.login_attempts import BoundedLoginAttempts
    from backend.adapters.local.passwords import Argon2PasswordHasher

    counter = shared_counter or BoundedLoginAttempts(settings.login_counter_max_keys)
    return AccountService(store, Argon2PasswordHasher(), settings.standard_queue,
                          throttle=build_login_throttle(settings, counter))


def build_login_throttle(settings: Settings, counter: LoginAttemptCounter,
                         clock: Callable[[], float] | None = None) -> LoginThrottle:
    """The login limits from the settings on ``counter`` (also used by ``benchmarks/login_attempts.py``)."""
    policy = LoginPolicy(window_seconds=settings.login_failure_window_seconds,
                         max_failures_per_account_and_network=settings.login_failures_per_account_and_network,
                         max_failures_per_network=settings.login_failures_per_network,
                         slowdown_after_failures=settings.login_slowdown_after_failures,
                         slowdown_max_seconds=settings.login_slowdown_max_seconds)
    secret = settings.storage_secret.get_secret_value().encode()
    return LoginThrottle(counter, secret, policy, **({'clock': clock} if clock is not None else {}))


def build_references(settings: Settings, store: ReferenceStore, agents: AgentLookup) -> ReferenceService:
    """Ad-hoc references with the configured secret and limits (also used by ``benchmarks/references.py``)."""
    return ReferenceService(store, agents, settings.reference_key, ReferencePolicy(
        ttl_seconds=settings.reference_ttl_minutes * 60, max_wrong_emails=settings.reference_max_wrong_emails,
        redeem_limit=settings.reference_redeem_limit,
        redeem_window_seconds=settings.reference_redeem_window_seconds))


def build_chat_limits(settings: Settings, counter: AttemptCounter, leases: LeaseStore) -> StartLimits:
    """Chat starts per client network: the rate limit and the cap on open chats (docs/security/flood.md)."""
    return _start_limits(settings, counter, leases, StartPolicy(
        RateLimit('chat-start', settings.chat_start_limit, settings.chat_start_window_seconds, 'chat requests'),
        open_limit=settings.chat_open_limit, open_what='chats'))


def build_call_limits(settings: Settings, counter: AttemptCounter, leases: LeaseStore) -> StartLimits:
    """Calls from /call per client network, as for chats, with their own purposes (never sharing a budget)."""
    return _start_limits(settings, counter, leases, StartPolicy(
        RateLimit('call-start', settings.call_start_limit, settings.call_start_window_seconds, 'calls'),
        open_limit=settings.call_open_limit, open_what='calls'))


def _start_limits(settings: Settings, counter: AttemptCounter, leases: LeaseStore, policy: StartPolicy) -> StartLimits:
    keys = NetworkKeys(settings.reference_key)  # the keyed-hash secret the reference limit uses too
    return StartLimits(NetworkRateLimiter(counter, keys), leases, keys, policy)


def build_single_sign_on(settings: Settings, agents: AgentStore,
                         directory: AgentDirectory | None = None) -> SingleSignOnService | None:
    """OIDC login when configured (VCE_LOGIN_MODE=oidc); None keeps local accounts. ``directory`` maps verified
    emails to agents (aws mode: Connect users); by default the VCE_OIDC_AGENT_EMAILS list of local accounts."""
    if settings.login_mode != 'oidc':
        return None
    try:
        from backend.adapters.oidc.authlib_provider import AuthlibIdentityProvider
    except ImportError as missing:
        raise RuntimeError('VCE_LOGIN_MODE=oidc needs authlib: pip install "video-call-escalation[aws]"') from missing
    from backend.adapters.local.agent_directory import MappedAgentDirectory

    provider = AuthlibIdentityProvider(settings.oidc_discovery_url, settings.oidc_client_id,
                                       settings.oidc_client_secret.get_secret_value(), settings.oidc_scopes,
                                       logout_url=settings.oidc_logout_url, groups_claim=settings.oidc_groups_claim)
    return SingleSignOnService(provider, directory or MappedAgentDirectory(agents, settings.oidc_agent_emails),
                               public_base_url=settings.agent_public_url,
                               supervisor_group=settings.oidc_supervisor_group)


def _meeting_provider(settings: Settings, clients: AwsClients | None) -> MeetingProvider:
    """Chime SDK meetings when VCE_MEETING_BACKEND=chime, and by default in aws mode (the browser-to-browser backend
    signals through one server process's memory, so it is used in aws mode only when asked for explicitly)."""
    backend = settings.meeting_backend
    if settings.mode == 'aws' and 'meeting_backend' not in settings.model_fields_set:
        backend = 'chime'
    if backend == 'chime':
        from backend.adapters.aws.chime_media_region import MediaRegion
        from backend.adapters.aws.chime_meetings import SERVICE, ChimeMeetingProvider

        media_region = MediaRegion(settings.chime_media_region, fallback=settings.aws_region)
        client = clients(SERVICE, settings.aws_region) if clients is not None else None
        return ChimeMeetingProvider(client, region=settings.aws_region, media_region=media_region)
    if settings.mode == 'aws':
        log.warning('meetings.local_backend_in_aws_mode: browser-to-browser meetings work with ONE server process only')
    from backend.adapters.local.meetings import LocalMeetingProvider

    return LocalMeetingProvider()
