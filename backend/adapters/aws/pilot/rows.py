"""The assumptions ``vce doctor --pilot`` gives a verdict on, keyed to the rows of docs/aws/fidelity.md.

Each id is a row of that register; the sentence here is the row's claim in short. A test holds the two together.
"""

from __future__ import annotations

ROWS: dict[str, str] = {
    'CHAT-1': 'StartChatContact starts a chat in our chat flow and returns its contact, participant and token',
    'CHAT-2': 'attributes given to StartChatContact reach the flow as $.Attributes (the greeting names the customer)',
    'PART-1': 'CreateParticipantConnection (WEBSOCKET + CONNECTION_CREDENTIALS) returns a websocket URL and a '
              'connection token, each with its expiry',
    'PART-2': 'a customer who subscribes on the websocket needs no ConnectParticipant flag: the chat goes on to '
              'its queue',
    'PART-3': 'the websocket takes {"topic":"aws/subscribe",…} and answers aws/subscribe with status success',
    'PART-4': 'chat items arrive as aws/chat frames whose content is a JSON item naming its contact',
    'PART-5': 'aws/heartbeat is answered, so a quiet chat keeps its websocket',
    'PART-6': 'the sender receives its own message over the websocket, with the Id SendMessage returned',
    'PART-7': 'SendEvent accepts the typing content type without Content',
    'PART-8': 'GetTranscript (BACKWARD, ASCENDING, 100 a page) returns the chat items in the websocket\'s shape',
    'PART-9': 'DisconnectParticipant ends the chat: chat.ended arrives over the websocket',
    'PART-10': 'once the participant left, CreateParticipantConnection is refused with AccessDeniedException',
    'FLOW-1': 'the chat flow gives a reference chat QueuePriority 1; other chats keep the default 5',
    'FLOW-2': 'a chat without a reference waits in the configured BasicQueue',
    'FLOW-3': 'UpdateContactTargetQueue.AgentId with the Connect user id routes to that agent\'s personal queue',
    'FLOW-4': 'GetMetricData in the customer queue flow loads $.Metrics.Contact.PositionInQueue',
    'CONT-1': 'DescribeContact reports QueueInfo, QueuePriority, Attributes and DisconnectTimestamp of a chat',
    'CONT-2': 'UpdateContactAttributes with InitialContactId = the chat\'s contact id writes attributes',
    'USER-1': 'SearchUsers (Username, EXACT) and DescribeUser find a Connect user by username, with its id',
    'CHIME-1': 'CreateMeetingWithAttendees creates the meeting and every attendee in the configured media region',
    'CHIME-2': 'DeleteMeeting ends the meeting; deleting it again answers NotFound',
    'FED-1': 'AssumeRole (session name = Connect username) then GetFederationToken gives that user\'s tokens',
    'FED-2': 'the instance\'s /auth/sign-in takes the tokens as the credentials form field',
}
