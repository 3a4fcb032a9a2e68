// Entry for the vendored Amazon Connect bundle. Streams defines window.connect (initCCP, agent and contact events);
// ChatJS adds connect.ChatSession, which Streams needs to give a chat contact's media controller (how our code sends
// the agent's chat messages). ChatJS extends window.connect, so it must run second.
require('amazon-connect-streams');
require('amazon-connect-chatjs');
