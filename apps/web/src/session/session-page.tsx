import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { TERMINAL_INPUT_TTL_MS } from '@baton/client';
import { useConnection, usePresence, useSession, useSessions } from '@baton/react';
import { controlModeOf, isKnownLogEvent } from '@baton/protocol';
import type { ChatSource } from '../chat/chat-model.js';
import { DevicesPanel } from '../devices/devices-panel.js';
import { ControlBar } from '../handoff/control-bar.js';
import { loadSessionView, saveSessionView } from '../offline/view-cache.js';
import { relativeTime } from '../sessions/relative-time.js';
import { DroppedKeysNotice } from '../terminal/dropped-keys-notice.js';
import { LazyChatView, LazyTerminalView } from './lazy-session-views.js';
import { useMediaQuery } from '../use-media-query.js';
import { SessionHeader } from './session-header.js';
import { WatchToggle } from './watch-toggle.js';
import { NoSuchSession } from './no-such-session.js';
import { Link } from '../routing/link.js';
import { useDeviceId } from '../sign-in/device-context.js';
import { useCan } from '../access/use-can.js';
import { SealedNotice } from '../sealing/sealed-notice.js';
import { useHostPaired } from '../sealing/use-host-paired.js';

const SAVE_DELAY_MS = 1000;

/**
 * One session: the chat or the terminal, its header and the devices attached. The view is the
 * session store's confirmed log plus this device's pending inputs. While there is no live view
 * (offline, server down) the view this browser saved last is shown instead, clearly marked.
 */
export function SessionPage({
  sessionId,
  oneBar = false,
}: {
  sessionId: string;
  /** A phone: the session's bar is the page's only one (see SessionHeader). */
  oneBar?: boolean;
}): ReactNode {
  const connection = useConnection();
  const { sessions, loaded } = useSessions();
  const [readOnlyChosen, setReadOnly] = useState(false);
  // A viewer is read-only whatever it chooses: the server attaches it read-only and refuses its
  // input; the page offers no way to type.
  const canInput = useCan('session.input');
  const readOnly = readOnlyChosen || !canInput;
  // Presence holds a read-only attachment for the page's whole life, so toggling read-only only
  // changes the attachment's mode: the session stays subscribed and its view is kept.
  const presence = usePresence(sessionId);
  const snapshot = useSession(sessionId, { readOnly });
  const wide = useMediaQuery('(min-width: 900px)');
  const [devicesOpen, setDevicesOpen] = useState<boolean | undefined>(undefined);
  const listed = sessions.find((s) => s.id === sessionId);
  const info = listed ?? snapshot.info;
  const saved = useMemo(() => loadSessionView(sessionId), [sessionId]);
  // Not `events.length`: reading `events` copies the held window, and this runs on every change.
  const hasLive = snapshot.base !== undefined || snapshot.lastSeq > 0;
  const showSaved = !hasLive && saved !== undefined;
  const kind = info?.kind ?? saved?.info.kind;
  // A sealed session of a host this device never paired with: nothing here can open it.
  const unpaired = useHostPaired(info?.sealed?.hostId) === 'unpaired';
  const myDeviceId = useDeviceId();
  // Presence is only known while attached; an offline window does not show stale presence.
  const live = snapshot.status === 'live';
  const attached = live ? presence : [];
  // The server lists the session's first 50 windows (and this one); the rest are a count.
  const unlisted = live ? Math.max(0, snapshot.presenceCount - attached.length) : 0;
  // After a takeover by another device this one observes: the server refuses its keys, so the
  // view does not offer to send them (the control bar says who controls).
  const myRole = attached.find((a) => a.deviceId === myDeviceId)?.role;
  const observing =
    myDeviceId !== undefined &&
    myRole !== undefined &&
    controlModeOf(info?.control, myDeviceId, myRole) === 'observer';

  // Keep the agent conversation for the offline view.
  useEffect(() => {
    if (!hasLive || !info || info.kind === 'terminal') return undefined;
    const timer = setTimeout(() => {
      const runner = snapshot.base?.state?.runner;
      const events =
        runner?.kind === 'agent'
          ? [...runner.events.filter(isKnownLogEvent), ...snapshot.events]
          : snapshot.events;
      saveSessionView({ savedAt: Date.now(), info, events });
    }, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [hasLive, info, snapshot.base, snapshot.events]);

  const saveTerminal = useCallback(
    (terminalText: string) => {
      if (info) saveSessionView({ savedAt: Date.now(), info, events: [], terminalText });
    },
    [info],
  );

  const source = useMemo<ChatSource>(
    () => ({
      base: hasLive ? snapshot.base : undefined,
      events: hasLive ? snapshot.events : (saved?.events ?? []),
      truncated: hasLive && snapshot.truncated,
      pending: snapshot.pending,
      streams: snapshot.streams,
      deviceId: myDeviceId,
    }),
    [
      hasLive,
      snapshot.base,
      snapshot.events,
      snapshot.truncated,
      snapshot.pending,
      snapshot.streams,
      saved,
      myDeviceId,
    ],
  );

  if (snapshot.status === 'error' && snapshot.error?.code === 'not_found' && !showSaved) {
    return <NoSuchSession reference={sessionId} />;
  }
  // The list no longer has it: deleted from another window, or gone with the server's data.
  const gone = loaded && !listed && (hasLive || snapshot.status === 'error');

  const panelOpen = devicesOpen ?? wide;
  const controlBar =
    info && live && myDeviceId !== undefined ? (
      <ControlBar info={info} attached={attached} myDeviceId={myDeviceId} />
    ) : null;
  // On a phone the control bar is one more row above the content: while nobody has taken
  // control it says only that anyone may type, so it waits in the devices panel (with Hand
  // off); once a device controls the session it is shown, since it changes what this one may do.
  const controlInPanel = oneBar && info?.control?.state !== 'controlled';
  return (
    <main
      className={`session-page kind-${kind ?? 'unknown'}`}
      data-session-id={sessionId}
      data-subscription={snapshot.status}
    >
      <SessionHeader
        info={info ?? saved?.info}
        sessionId={sessionId}
        deleted={gone}
        attached={attached}
        unlisted={unlisted}
        myDeviceId={myDeviceId}
        live={live}
        devicesOpen={panelOpen}
        onDevicesToggle={() => setDevicesOpen(!panelOpen)}
        oneBar={oneBar}
      />
      {controlBar && !controlInPanel ? controlBar : null}
      {showSaved ? (
        <p className="notice notice-offline" role="status">
          Offline: showing this session as saved {relativeTime(saved.savedAt)}.{' '}
          {kind === 'terminal'
            ? `Keys typed now are sent only if baton is back within ${TERMINAL_INPUT_TTL_MS / 1000} s.`
            : 'Anything you type is kept and sent once baton is reachable.'}
        </p>
      ) : null}
      {gone ? (
        <p className="notice notice-error" role="alert">
          This session was deleted; it is no longer available.{' '}
          <Link href="/">Back to the sessions</Link>
        </p>
      ) : null}
      {kind === 'terminal' ? <DroppedKeysNotice sessionId={sessionId} info={info} /> : null}
      <div className="session-body">
        <section className="session-main" aria-label={kind === 'terminal' ? 'Terminal' : 'Chat'}>
          {unpaired && info ? (
            <SealedNotice info={info} />
          ) : kind === 'terminal' ? (
            <LazyTerminalView
              sessionId={sessionId}
              live={live}
              readOnly={readOnly || observing || gone}
              modeControl={
                canInput && !gone ? (
                  <WatchToggle watching={readOnlyChosen} onChange={setReadOnly} />
                ) : undefined
              }
              savedText={showSaved ? saved.terminalText : undefined}
              onSave={saveTerminal}
              info={info}
              attached={attached}
              myConnectionId={
                connection.status === 'connected' ? connection.connectionId : undefined
              }
            />
          ) : kind ? (
            <LazyChatView
              sessionId={sessionId}
              source={source}
              status={info?.status}
              readOnly={!canInput || observing || gone}
              readOnlyNote={
                gone ? 'This session was deleted: nothing can be sent to it.' : undefined
              }
              attached={attached}
              info={info}
            />
          ) : (
            <p className="muted loading">Loading the session…</p>
          )}
        </section>
        {panelOpen ? (
          <div id="devices-panel" className="devices-wrap">
            {controlInPanel ? controlBar : null}
            <DevicesPanel
              attached={attached}
              myConnectionId={
                connection.status === 'connected' ? connection.connectionId : undefined
              }
              myDeviceId={myDeviceId}
              live={live}
              unlisted={unlisted}
            />
          </div>
        ) : null}
      </div>
    </main>
  );
}
