from agent_ui.connect_desktop.connect_ccp.connect_ccp import (
    DEFAULT_CONNECT_BUNDLE_URL,
    ERROR_CODES,
    CcpAgentEvent,
    CcpContactEvent,
    CcpErrorEvent,
    ConnectCcp,
)

__all__ = ['DEFAULT_CONNECT_BUNDLE_URL', 'ERROR_CODES', 'CcpAgentEvent', 'CcpContactEvent', 'CcpErrorEvent',
           'ConnectCcp']
