"""Bare WebRTC baseline: static pages + a minimal WebSocket relay, stdlib asyncio only (no NiceGUI, no framework).

    python benchmarks/webrtc_baseline/server.py PORT

Serves ``agent.html``, ``customer.html`` and ``rtc.js`` from this folder on 127.0.0.1 and relays every text message a
page sends on ``/ws/<room>/<role>`` (role ``agent`` / ``customer``) to the page of the other role in the same room,
unchanged (1:1 rooms).
``GET /ping`` answers ``ok`` (readiness probe). Only enough of RFC 6455 for this: unfragmented text frames, ping,
close; no extensions.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = {'/agent.html': 'text/html', '/customer.html': 'text/html', '/rtc.js': 'text/javascript'}
WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
OTHER = {'agent': 'customer', 'customer': 'agent'}
peers: dict[tuple[str, str], asyncio.StreamWriter] = {}


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack('!H', size)
    else:
        head += bytes([127]) + struct.pack('!Q', size)
    return head + payload  # server frames are not masked


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    b0, b1 = await reader.readexactly(2)
    size = b1 & 0x7F
    if size == 126:
        size = struct.unpack('!H', await reader.readexactly(2))[0]
    elif size == 127:
        size = struct.unpack('!Q', await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if b1 & 0x80 else b''
    data = await reader.readexactly(size)
    if mask:
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
    return b0 & 0x0F, data


async def websocket(room: str, role: str, key: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    writer.write(('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                  f'Sec-WebSocket-Accept: {accept}\r\n\r\n').encode())
    await writer.drain()
    peers[room, role] = writer
    try:
        while True:
            opcode, data = await read_frame(reader)
            if opcode == 0x8:  # close
                writer.write(frame(b'', 0x8))
                break
            if opcode == 0x9:  # ping
                writer.write(frame(data, 0xA))
            elif opcode == 0x1 and (other := peers.get((room, OTHER[role]))) is not None:
                other.write(frame(data))
                await other.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if peers.get((room, role)) is writer:
            del peers[room, role]
        writer.close()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        request = await reader.readuntil(b'\r\n\r\n')
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    lines = request.decode('latin-1').split('\r\n')
    _, path, _ = lines[0].split(' ', 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(':') for line in lines[1:] if line)}
    path = path.split('?', 1)[0]
    parts = path.split('/')  # ['', 'ws', room, role]
    if (len(parts) == 4 and parts[1] == 'ws' and parts[3] in OTHER
            and headers.get('upgrade', '').lower() == 'websocket'):
        await websocket(parts[2], parts[3], headers['sec-websocket-key'], reader, writer)
        return
    if path in STATIC:
        body, status, ctype = (HERE / path.lstrip('/')).read_bytes(), '200 OK', STATIC[path]
    elif path == '/ping':
        body, status, ctype = b'ok', '200 OK', 'text/plain'
    else:
        body, status, ctype = b'not found', '404 Not Found', 'text/plain'
    writer.write((f'HTTP/1.1 {status}\r\nContent-Type: {ctype}; charset=utf-8\r\nContent-Length: {len(body)}\r\n'
                  'Cache-Control: no-store\r\nConnection: close\r\n\r\n').encode() + body)
    await writer.drain()
    writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(handle, '127.0.0.1', port)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1])))
