"""The expected verdict on every file of ``../shared/flow-corpus``, each justified by the Amazon Connect flow-language
documentation (pages under https://docs.aws.amazon.com/connect/latest/APIReference/), not by what the code does.

- ``accepted``: every action is flow language the local engine runs, with parameters and transitions its page
  allows. ``run`` says how one customer goes through it and where the customer must end up.
- ``handler``: valid flow language with a cloud-only action (Amazon Lex, agent workspace views): refused offline,
  accepted once a Python handler is registered for ``types`` (the handlers in ``corpus_runner.stub_extensions``
  answer "not understood", so the run takes the flow's no-match path).
- ``connect``: valid flow language with an action only a real instance can run (``types``), refused with the reason.
- ``invalid``: not a flow at all.

Run outcomes: the corpus names queues, Lambda functions and flows of other instances (ARNs with their ids), which
the local engine does not have, so "Set working queue", "Invoke AWS Lambda function" and "Transfer to flow" take
their Error branches, as Connect does when a resource is missing (each page: "NoMatchingError - if no other Error
matches"). Queue flows keep the customer queued (``queued``); a flow that stops at EndFlowExecution before queueing
ends the contact ("if a flow ends before the contact is put into queue, ending the flow results in the contact being
ended", flow-control-actions-endflowexecution); DisconnectParticipant ends it as ``flow_disconnected``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    role: str  # inbound | queue | module (SOURCES.md's kind of flow)
    channel: str  # CHAT | VOICE
    state: str  # the contact's state after the run: ended | queued
    end_reason: str | None = None
    answers: tuple[str, ...] = ()
    first: str = ''  # how the first thing the flow says starts ('' = it says nothing)


@dataclass(frozen=True)
class Verdict:
    verdict: str  # accepted | handler | connect | invalid
    why: str
    run: Run | None = None
    types: frozenset[str] = field(default_factory=frozenset)


LEX = frozenset({'ConnectParticipantWithLexBot'})
VIEW = frozenset({'ShowView'})
CALLBACK = frozenset({'CreateCallbackContact', 'UpdateContactCallbackNumber'})

VERDICTS: dict[str, Verdict] = {
    '01-chatui-interactive-lexv2-chat': Verdict(
        'handler', 'Get customer input with a Lex bot is ConnectParticipantWithLexBot (Lex classic LexBot); Compare '
        'with NextAction is allowed (flow-language-actions: Transitions)', types=LEX,
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected', first='Sorry I did not understand that.')),
    '02-chatui-thirdparty-chatbot': Verdict(
        'handler', 'ConnectParticipantWithLexBot (LexV2Bot) then TransferToFlow to a flow of another instance',
        types=LEX, run=Run('inbound', 'CHAT', 'ended', 'flow_ended', first='Initializing the contact flow')),
    '03-chatui-hosted-widget-attributes': Verdict(
        'accepted', 'MessageParticipant Text with $.Attributes paths, Compare with NextAction, EndFlowExecution',
        run=Run('inbound', 'CHAT', 'ended', 'flow_ended', first='"verificationCode" is')),
    '04-goodmeasures-disconnect-flow-wait': Verdict(
        'accepted', 'Wait with TimeLimitSeconds and Events [CustomerReturned] as Connect exports it '
        '(flow-control-actions-wait: Events, CustomerReturned condition), GetParticipantInput menu, '
        'TransferContactToQueue without Parameters (contact-actions-transfercontacttoqueue: no parameters)',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', answers=('1',),
                first='We appreciate your call.')),
    '05-sbs-backend-handler': Verdict(
        'accepted', 'UpdateContactAttributes, Compare, UpdateContactEventHooks DefaultAgentUI (a documented hook), '
        'TransferContactToQueue', run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected')),
    '06-sbs-cards-handler': Verdict(
        'accepted', 'GetParticipantInput menu (participant-actions-getparticipantinput: Equals on single keys), '
        'UpdateContactData CustomerId (contact-actions-updatecontactdata)',
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected', answers=('1',), first='Welcome to Any Airline')),
    '07-sbs-retail-view-flow': Verdict(
        'handler', 'ShowView (participant-actions-showview) drives agent workspace views', types=VIEW,
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected')),
    '08-sbs-cases-module': Verdict(
        'connect', 'Customer Profiles and Cases actions (CreateCustomerProfile, GetCase, CreateCase) only run in an '
        'instance with those services; it also shows views', types=frozenset({
            'CreateCustomerProfile', 'GetCase', 'CreateCase', 'ShowView'})),
    '09-goodmeasures-inbound-to-agent': Verdict(
        'accepted', 'UpdateContactTargetQueue to a queue ARN, TransferContactToQueue without Parameters',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first='Sorry, you have encountered')),
    '10-goodmeasures-default-queue-transfer': Verdict(
        'accepted', "Connect's default queue transfer flow: CheckHoursOfOperation with Equals True/False "
        '(flow-control-actions-checkhoursofoperation), CheckMetricData NumberOfAgentsStaffed with '
        'NumberGreaterThan 0 (flow-control-actions-checkmetricdata), TransferContactToQueue without Parameters',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first='Failed to transfer to queue.')),
    '11-goodmeasures-default-customer-queue': Verdict(
        'accepted', "Connect's default customer queue flow: MessageParticipantIteratively with a Text and a PromptId "
        'and no transitions (loops until an agent answers; participant-actions-messageparticipantiteratively)',
        run=Run('queue', 'VOICE', 'queued', first='Thank you for calling.')),
    '12-goodmeasures-default-agent-whisper': Verdict(
        'accepted', 'MessageParticipant Text "$.Queue.Name" then EndFlowExecution; run as an inbound flow the queue '
        'is not set yet, so the prompt is empty and nothing is sent',
        run=Run('inbound', 'VOICE', 'ended', 'flow_ended')),
    '13-goodmeasures-queue-configurations': Verdict(
        'connect', 'callbacks (CreateCallbackContact, UpdateContactCallbackNumber) dial the customer back; it also '
        'uses QueueTimeAdjustmentSeconds, which is flow language (contact-actions-updatecontactroutingbehavior)',
        types=CALLBACK),
    '14-goodmeasures-routing-flow': Verdict(
        'accepted', 'UpdateContactRecordingBehavior, UpdateContactTextToSpeechVoice, InvokeLambdaFunction with '
        'InvocationTimeLimitSeconds 8 (the documented maximum), Compare on $.External, TransferToFlow',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first='Sorry, you have encountered')),
    '15-goodmeasures-queue-flow-callback': Verdict(
        'connect', 'customer queue flow offering a callback (CreateCallbackContact)', types=CALLBACK),
    '16-goodmeasures-ab-test-templated': Verdict(
        'invalid', 'the stored text is a Terraform template, not JSON (SOURCES.md says so)'),
    '17-statewise-customer-queue-flow': Verdict(
        'accepted', 'customer queue flow: Compare on $.Queue.Name with NextAction, MessageParticipant, Loop with '
        'NextAction', run=Run('queue', 'VOICE', 'queued', first='sorry.no match')),
    '18-statewise-main-inbound': Verdict(
        'accepted', 'InvokeLambdaFunction with ResponseValidation STRING_MAP, CheckHoursOfOperation with an hours '
        'ARN, Compare on $.External', run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected',
                                              first='something wrong with lambda')),
    '19-surveys-simple-survey-example': Verdict(
        'accepted', 'UpdateContactEventHooks CustomerRemaining (a documented hook; the disconnect flow), '
        'UpdateContactAttributes, TransferContactToQueue',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first='Welcome to the simple survey')),
    '20-surveys-disconnect-example': Verdict(
        'accepted', 'InvokeFlowModule with a module id (flow-language-actions-invoke-flow-module); the module is '
        'not among the files, so its Error branch', run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected')),
    '21-surveys-contact-survey-module': Verdict(
        'handler', 'a flow module asking its questions through a Lex bot (ConnectParticipantWithLexBot), with '
        'InvokeLambdaFunction and GetParticipantInput with StoreInput True and CustomValidation', types=LEX,
        run=Run('module', 'VOICE', 'ended', 'flow_disconnected', first='Lambda getSurveyConfig error!')),
    '22-tfaws-contact-flow-updated': Verdict(
        'accepted', 'MessageParticipant then DisconnectParticipant: the smallest contact flow',
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected', first='Thanks for calling the updated sample flow')),
    '23-tfaws-contact-flow-module': Verdict(
        'accepted', 'a flow module with Settings (the module form) ending in EndFlowModuleExecution '
        '(endflowmoduleexecution: returns to the invoking flow)',
        run=Run('module', 'CHAT', 'ended', 'flow_disconnected', first='Hello contact flow module')),
    '24-cdkconstructs-inbound': Verdict(
        'connect', 'CreateWisdomSession starts an Amazon Q in Connect session; the rest (EventHooksConfiguration, '
        'UpdateContactData, recording with AnalyticsBehavior) is flow language',
        types=frozenset({'CreateWisdomSession'})),
    '25-cdkconstructs-customer-queue': Verdict(
        'accepted', 'customer queue flow: MessageParticipant then MessageParticipantIteratively with a PromptId',
        run=Run('queue', 'VOICE', 'queued', first='Thank you for waiting.')),
    '26-vmx3-inqueue-agent-whisper': Verdict(
        'accepted', 'agent whisper: Compare, MessageParticipant "$.Queue.Name", EndFlowExecution',
        run=Run('inbound', 'VOICE', 'ended', 'flow_ended')),
    '27-vmx3-inqueue-option': Verdict(
        'accepted', 'customer queue flow: MessageParticipantIteratively with InterruptFrequencySeconds and '
        'ContinueMessagingDuringInterrupt, GetParticipantInput with InputTimeLimitExceeded, UpdateFlowAttributes, '
        'TagContact, InvokeLambdaFunction by $.FlowAttributes path',
        run=Run('queue', 'VOICE', 'queued', answers=('1',), first='Thank you for calling.')),
    '28-vmx3-example-task-flow': Verdict(
        'connect', 'UpdateContactRoutingCriteria needs agent proficiencies', types=frozenset({
            'UpdateContactRoutingCriteria'})),
    '29-snippets-bankid-auth': Verdict(
        'accepted', 'GetParticipantInput with SSML, StoreInput True, CustomValidation MaximumLength 12 and '
        'DTMFConfiguration; InvokeLambdaFunction; Loop with NextAction',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', answers=('198001011234#',),
                first='Thank you for calling.')),
    '30-snippets-reminder-bot': Verdict(
        'handler', 'a Lex V2 bot conversation (ConnectParticipantWithLexBot)', types=LEX,
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected')),
    '31-scv-queue-transfer': Verdict(
        'accepted', 'queue transfer flow: TransferContactToQueue without Parameters',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first="I'm sorry. We have encountered an error")),
    '32-outbound-call-flow': Verdict(
        'connect', 'UpdateContactMediaStreamingBehavior streams the call to Kinesis Video Streams',
        types=frozenset({'UpdateContactMediaStreamingBehavior'})),
    '33-outbound-init-module': Verdict(
        'connect', 'a module starting media streaming', types=frozenset({'UpdateContactMediaStreamingBehavior'})),
    '34-analytics-simple-inbound': Verdict(
        'accepted', 'GetParticipantInput menu on a call, UpdateContactAttributes, TransferContactToQueue',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', answers=('1',),
                first='Welcome to Amazon Connect Contact Centre.')),
    '35-powerdialer-disposition-view': Verdict(
        'handler', 'ShowView disposition codes for the agent', types=VIEW,
        run=Run('inbound', 'CHAT', 'ended', 'flow_disconnected')),
    '36-vanity-numbers-ts': Verdict(
        'accepted', 'InvokeLambdaFunction then MessageParticipant SSML with $.External values',
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first="I'm sorry, I was unable to figure out")),
    '37-gitlab-acme-main': Verdict(
        'handler', 'a Lex menu (ConnectParticipantWithLexBot) with UpdateFlowAttributes and an InvokeLambdaFunction '
        'by $.FlowAttributes path whose attribute name holds a dash (allowed: attribute keys are alphanumeric, '
        'dash and underscore)', types=LEX,
        run=Run('inbound', 'VOICE', 'ended', 'flow_disconnected', first='Welcome to ACME corporation')),
    '38-gitlab-acme-customer-queue': Verdict(
        'accepted', 'customer queue flow: MessageParticipant then MessageParticipantIteratively without interrupt',
        run=Run('queue', 'VOICE', 'queued', first='Hi, Thanks for calling.')),
}
