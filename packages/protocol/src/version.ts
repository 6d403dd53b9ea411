/**
 * Protocol version negotiation and the rules for changing the protocol.
 *
 * A client sends the version it speaks in its `hello`; the server accepts any version in
 * [MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION], answers `welcome` with that same version and
 * from then on speaks it to that connection. Any other version is closed with
 * `CloseCode.UnsupportedVersion`.
 *
 * Rules for changing the wire (docs/protocol.md §16 says the same for client authors):
 * - Additive changes keep the version. From version 2 on, a client must ignore what it does not
 *   know, so these reach every client safely:
 *   - a new optional field in any message, reply result or event body;
 *   - a new event type (clients advance their position past it and skip it: `UnknownLogEvent`);
 *   - a new error code (clients treat it like `bad_request`: not retryable);
 *   - a new snapshot reason (the reason is informational; every snapshot is applied the same way);
 *   - a new optional field in a client message (older servers ignore unknown fields);
 *   - a new server frame type a client may ignore (clients drop frames they cannot parse and go
 *     on; `parseServerFrame` reports them as `invalid_message`).
 * - Breaking changes bump PROTOCOL_VERSION: a new required field in a client message, a changed
 *   meaning or type of an existing field, a removed message, event or field, a new server message
 *   type that a client must act on. The server keeps speaking every version down to
 *   MIN_SUPPORTED_PROTOCOL_VERSION, translating per connection (`Peer.protocolVersion`); raising
 *   the minimum is itself a breaking change announced in the history below.
 * - Version 1 clients predate the tolerance rules: they reject unknown event types, error codes
 *   and snapshot reasons. The server therefore sends them none: a version 1 connection gets a
 *   `reset` snapshot as `resync`, is never sent `epoch_changed`, and an event type added after
 *   version 2 must be kept from version 1 connections or the minimum raised to 2.
 *
 * Every change of a wire schema changes the fingerprint pinned in protocol-version.test.ts: an
 * additive change records a new fingerprint for the current version with a history line; a
 * breaking change bumps the version.
 *
 * History:
 * - 1: first version (hello/welcome, sessions, ordered log with replay and snapshots, inputs with
 *      client ids and acks, presence, terminal and agent events).
 * - 2: epochs (`SessionInfo.epoch`, `epoch` on subscribe, fetch, their replies and snapshots;
 *      snapshot reason `reset`; error code `epoch_changed`); clients tolerate unknown event
 *      types (`UnknownLogEvent`), error codes, snapshot reasons and fields; input ids are
 *      deduplicated per device.
 *      Additive in 2: `SessionInfo.degraded` (the store cannot write for this session);
 *      `SessionInfo.run` and the optional `run` of terminal inputs; error code `stale_input`
 *      (only ever sent for an input that carries `run`, so never to version 1).
 *      Additive in 2: roles (`Role`, `ACTION_ROLE`): `welcome.role` and `welcome.sessionScope`,
 *      `Attachment.role`, `requiredRole` on `forbidden` errors, `role` when registering a device.
 *      A device's role is enforced by the server; old clients only miss the extra fields.
 *      Error codes `expired` and `already_used` (pairing codes and handoff tokens, over HTTP).
 *      Additive in 2, HTTP only (outside the WebSocket fingerprint): pairing, `POST /api/pairings`,
 *      `GET /api/pairings/{id}` and `POST /api/pairings/redeem` (`CreatePairingBody`,
 *      `RedeemPairingBody` and their answers in pairing.ts).
 *      Additive in 2: handoff and control (`SessionControl`): `SessionInfo.control` and the event
 *      type `control.changed` (old clients skip it; version 1 connections are sent it as an
 *      empty `terminal.output`, a no-op they know, so their positions stay gap-free).
 *      Additive in 2: client message `visibility` (whether a window's page is visible, for Web
 *      Push: a device looking at a session gets no notification for it). Only new clients send
 *      it; a server without it answers `invalid_message`, which a client may ignore.
 *      Additive in 2: the server frame `device.changed` (a device was renamed or its role
 *      changed; sent only to connections of version 2 and later, which ignore frames they do not
 *      know); device management and audit schemas (`PatchDeviceBody`, `SessionRoleBody`,
 *      `DeviceListing`, `AuditEntry`, `ServerSettings`) and the actions `settings.manage`.
 *      Additive in 2: `SessionInfo.attention` (an agent waits for a permission answer, a question
 *      or a plan approval) and `SessionInfo.preview` (the last line, for lists); `offset` on
 *      `stream` frames, and a subscriber that turns live mid-reply first gets the text streamed
 *      so far (offset 0). Old clients append fragments, which the catch-up frame also suits.
 *      Additive in 2: `report: true` on terminal inputs (an emulator's answer to a query; the
 *      server types only the responder window's) and `ignored: 'not_responder'` on `ack`. Old
 *      servers ignore the flag (and type every answer, as before); old clients never set it.
 *      Additive in 2: the size policy: optional `fitToMe` on `resize` (Fit to me / Follow the
 *      writer) and `Attachment.sizeInUse` / `Attachment.fitToMe` (whose size the PTY has).
 *      Additive in 2: `scope` on an allowing permission answer (`once` | `session`; a server
 *      without it allows once); `stoppedBy` on `agent.turn.ended` (the device that stopped it).
 *      Additive in 2: presence is capped: `presence` and `presence.changed` describe the first
 *      50 attachments in attach order plus the receiver itself, and carry `attachedCount`, the
 *      total. Old clients ignore the count and show the capped list, as the sessions list was
 *      already capped at 50.
 *      Additive in 2: queued messages can be withdrawn: the client message `input.withdraw`
 *      (a server without it answers `invalid_message`), its reply, the event type
 *      `input.withdrawn` (version 1 connections get it as an empty `terminal.output`) and the
 *      error code `already_started` (only ever an answer to `input.withdraw`).
 *      Additive in 2: adopting agent conversations baton did not start: `AgentConfig.resume`
 *      (a server without it refuses the unknown config key with `invalid_message`) and
 *      `imported: true` on `input`, `agent.text`, `agent.thinking`, `agent.tool.call` and
 *      `agent.tool.result` (old clients show imported history as ordinary history); HTTP only:
 *      `GET /api/agent-conversations` (`AgentConversation`) and the action `agents.adopt`.
 *      Additive in 2: slash commands and settings mid-conversation: the client message
 *      `agent.settings` (model and/or permission mode; a server without it answers
 *      `invalid_message`) and its reply; the event types `agent.settings.changed`,
 *      `agent.cleared` (`/clear` started a new conversation) and `agent.commands` (the slash
 *      commands the agent offers), kept from version 1 connections as an empty
 *      `terminal.output`; `command` on `agent.text` (the output of a slash command).
 *      Additive in 2: attachments (attachment.ts): optional `attachments` on `message` inputs
 *      (old clients drop the field and show the text; a server without it drops the field too
 *      and the agent gets the text alone: a client knows the feature from `attachments` in
 *      `GET /api/health`, which gives the size limit and the accepted types), error codes `attachment_too_large` and
 *      `unsupported_attachment_type` (only ever answers to an upload, over HTTP); HTTP only:
 *      `POST /api/sessions/{id}/attachments` and `GET /api/sessions/{id}/attachments/{id}`.
 *      Additive in 2: the whole agent visible: `answers` on an allowing permission answer (to
 *      AskUserQuestion; a server without it drops it), `tokens` and `costEstimated` on
 *      `agent.turn.ended` (`TokenUsage`, the same for Claude and Codex) and
 *      `SessionInfo.usage` (`SessionUsage`, the session's sums). Old clients ignore them.
 *      Additive in 2: shared documents: the client messages `doc.get`, `doc.list`, `doc.write`
 *      and `doc.resolve` (a server without them answers `invalid_message`) and their replies;
 *      the event type `doc.changed` (version 1 connections get it as an empty
 *      `terminal.output`); the error codes `stale_version`, `too_large`, `too_many_documents`
 *      and `clock_skew` (only ever answers to the new messages); volatile state: the client
 *      message `volatile` and the server frame `volatile` (sent to version 2 and later only).
 *      Additive in 2: relays (docs/relay.md): `SessionInfo.host` (old clients ignore it and show
 *      one flat list) and `host` in both session configs (a server that is not a relay refuses it
 *      with `bad_request`; an older server with `invalid_message`, as for any unknown key). The
 *      host link between a relay and its hosts (host-link.ts) has its own version,
 *      `HOST_LINK_VERSION`; its schemas are part of the fingerprint.
 *      Additive in 2: host identities: `SessionInfo.host.keyFingerprint` and `keyFingerprint`
 *      in `GET /api/hosts` (the fingerprint of the host's signing key; old clients ignore it).
 *      The host link went to its version 2 with it (`keys` in `host.hello`, `sig` on `out`;
 *      see host-link.ts); that link is between relays and hosts only, not clients.
 *      Additive in 2, negotiated: replay pages. A client that says `eventPages: true` in its
 *      `hello` is sent each page of a catch-up as one `events` frame (the session id once, the
 *      events in order) instead of one `event` frame per event. A client cannot ignore that
 *      frame, so the server sends it only to connections that asked; every other connection,
 *      and every connection to an older server (which drops the unknown hello field), gets
 *      `event` frames as before. Live events stay `event` frames (until live pages, below).
 *      Additive in 2: sealed sessions (docs/protocol.md, "Sealed sessions"): `SessionInfo.sealed`,
 *      the sealed input payload (`{kind, sealed}`, `WireInputPayload`) in `input` messages, input
 *      events and `POST /api/sessions/{id}/inputs`, sealed event bodies (`SealedLogEvent`:
 *      `data = {sealed}`) and `stream.sealed`; HTTP `GET /api/sessions/{id}/keys` and
 *      `POST /api/hosts/{hostId}/introductions` (sealed.ts), and the error code `sealed_session` (a
 *      plaintext input to a sealed session; old clients treat it like `bad_request`). Only sealed sessions carry the
 *      sealed forms, and a client that does not know `SessionInfo.sealed` cannot open them, so
 *      plaintext sessions and old clients see nothing new. The host link went to version 3.
 *      Additive in 2: host-made sealed snapshots (docs/protocol.md, "Sealed snapshots"): a
 *      sealed session's `snapshot` frame carries `state.runner = {sealed}` (`SealedRunnerSnapshot`,
 *      envelope kind `snapshot`, id `snap.<seq>`, by the host), which a client opens to the
 *      runner state it stands for. Only sealed sessions carry it; a client without the
 *      session's keys cannot read it either way. The host link went to version 4 (`snapshot`).
 *      Additive in 2: sealed replies in progress for joiners (docs/protocol.md, "Sealed
 *      sessions" → "Stream fragments"): a relay sends a subscriber that turns live mid-reply the
 *      sealed `stream` frames it kept, as it relayed them; clients order sealed fragments by
 *      their signed number (`s.<messageId>.<k>`, k = 1 starts the message). No client schema
 *      changed; the host link went to version 5 (`out.finishes`).
 *      Additive in 2: `doc.write.writeId` (the write's own id, sent again with its retries; a
 *      server that committed it answers with the original seq instead of applying it twice).
 *      Older servers drop the unknown field and apply a retry again, as before.
 *      Additive in 2: sealed attachments (docs/protocol.md, "Sealed attachments"): envelope kind
 *      `attachment` in `SealedEnvelopeShape` (never in a frame: uploads only, over HTTP), and the
 *      upload answer's `type` may be `SEALED_ATTACHMENT_TYPE` for a sealed session. Only devices
 *      that seal upload to sealed sessions; plaintext sessions answer as before.
 *      Additive in 2: the clear checks of a sealed terminal input (`SealedTerminalChecks`):
 *      `run` and `report` beside a sealed payload in `input` and `POST …/inputs`, and in the
 *      stored input event, so that a relay applies the stale-run check and the responder filter
 *      to sealed inputs; the host refuses one whose sealed values differ. Older servers drop
 *      the fields (and check neither, as before); older clients send none.
 *      Additive in 2: `querySeq` on terminal reports (and in the clear checks of a sealed one):
 *      the seq of the output whose query the report answers; the server types it only from the
 *      window that was the responder when that output was committed. Older servers drop it and
 *      filter by the responder of the moment the report arrives, as before; a report without it
 *      is filtered that way still.
 *      Additive in 2, negotiated: live pages. A client that says `livePages: true` in its
 *      `hello` is sent the events of one live commit (two or more) as one `events` frame, the
 *      frame of replay pages, instead of one `event` frame each. The server sends it only to
 *      connections that asked; every other connection, and every connection to an older server
 *      (which drops the unknown hello field), gets `event` frames for live events as before.
 *      Host link only (clients see nothing of it): version 6, `host.hello.proof`, the host's
 *      proof that it holds the signing key it registers (docs/protocol.md, "Host keys"); the
 *      relay refuses weak public keys from every host link version. Additive in host link 6:
 *      `host.hello.kept` and relay → host `forget`, sent only to a host whose hello had `kept`
 *      (docs/relay.md, "Deleting a session").
 *      Additive in 2: `Attachment.label`, the name a connection gave itself in its `hello`,
 *      shown in presence (older servers omit it; older clients ignore it). An error code added
 *      after version 1 reaches a version 1 connection as `bad_request` (VERSION_1_ERROR_CODES).
 *      Sealed sessions, no wire schema change: counter lanes (docs/protocol.md, "Sealed sessions"):
 *      a counter from 2^50 on belongs to the lane `counter mod 1024` and readers check each
 *      author's lanes apart, so several windows of one device seal at once; a sealed snapshot's
 *      `counters` are keyed `<author>#<lane>` for laned counters and `<author>#*` for an
 *      author's floor (lanes past the 32 kept; its keys may be 261 characters long, an author
 *      id's 256 and the suffix). A reader from before lanes
 *      takes a device's counters as one sequence: it opens the inputs of a device that seals
 *      from one window as before, and refuses some from a device typing in two at once.
 */
export const PROTOCOL_VERSION = 2;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;

/** The WebSocket path. The version in the path changes only for an incompatible transport. */
export const WEBSOCKET_PATH = '/v1/ws';
