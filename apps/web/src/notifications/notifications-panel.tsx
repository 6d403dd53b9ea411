import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { PushKind, PushPrefs } from '@baton/protocol';
import { useDeviceToken } from '../sign-in/device-context.js';
import { currentSubscription, pushSupport, subscribe } from './browser-push.js';
import { PushApi, PushApiError, type ServerSubscription } from './push-api.js';

const KINDS: readonly { kind: PushKind; label: string }[] = [
  { kind: 'permission', label: 'An agent waits for a permission answer' },
  { kind: 'turnEnded', label: 'An agent finished its turn' },
  { kind: 'terminalExited', label: 'A terminal exited' },
  { kind: 'sessionFailed', label: 'A session failed' },
];

const ALL_ON: PushPrefs = {
  permission: true,
  turnEnded: true,
  terminalExited: true,
  sessionFailed: true,
};

/**
 * What the panel shows: a named state per situation rather than several flags.
 * - `unsupported`: no Web Push here (not a secure page, or an old browser); `reason` says why.
 * - `loading`: reading the browser's and the server's subscriptions.
 * - `off`: this browser is not subscribed (or the server does not know its subscription).
 * - `denied`: the user blocked notifications for this site in the browser.
 * - `on`: subscribed; `sub` is the server's record with the chosen kinds.
 * - `error`: the last step failed; `message` says what to do, and the user may retry.
 */
type PanelState =
  | { state: 'unsupported'; reason: string }
  | { state: 'loading' }
  | { state: 'off' }
  | { state: 'denied' }
  | { state: 'on'; sub: ServerSubscription }
  | { state: 'error'; message: string };

/**
 * Notification settings of this device: enable Web Push (asking the browser's permission), and
 * choose which kinds of notification it wants. The server sends a notification only to devices
 * not looking at the session concerned.
 */
export function NotificationsPanel(): ReactNode {
  const token = useDeviceToken();
  const [api] = useState(() => new PushApi(token ?? ''));
  const [view, setView] = useState<PanelState>(() => {
    const support = pushSupport();
    return support.ok ? { state: 'loading' } : { state: 'unsupported', reason: support.reason };
  });
  const [busy, setBusy] = useState(false);

  const failed = (error: unknown): void =>
    setView({
      state: 'error',
      message:
        error instanceof PushApiError &&
        error.status === 404 &&
        /Web Push is off/.test(error.message)
          ? 'Notifications are off on this server.'
          : `Could not change notifications: ${error instanceof Error ? error.message : String(error)}`,
    });

  const refresh = useCallback(async () => {
    if (!pushSupport().ok) return;
    if (Notification.permission === 'denied') {
      setView({ state: 'denied' });
      return;
    }
    const [browserSub, listed] = await Promise.all([currentSubscription(), api.list()]);
    const known = browserSub && listed.find((s) => s.endpoint === browserSub.endpoint);
    setView(known ? { state: 'on', sub: known } : { state: 'off' });
  }, [api]);

  useEffect(() => {
    refresh().catch(failed);
  }, [refresh]);

  const act = (work: () => Promise<void>): void => {
    setBusy(true);
    work()
      .catch(failed)
      .finally(() => setBusy(false));
  };

  const enable = (): void =>
    act(async () => {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setView(permission === 'denied' ? { state: 'denied' } : { state: 'off' });
        return;
      }
      const sub = await subscribe(await api.publicKey());
      setView({ state: 'on', sub: await api.add(sub.toJSON(), ALL_ON) });
    });

  const disable = (sub: ServerSubscription): void =>
    act(async () => {
      await api.remove(sub.id);
      await (await currentSubscription())?.unsubscribe();
      setView({ state: 'off' });
    });

  const toggle = (sub: ServerSubscription, kind: PushKind, on: boolean): void =>
    act(async () => {
      setView({ state: 'on', sub: await api.setPrefs(sub.id, { [kind]: on }) });
    });

  return (
    <section
      className="notifications-panel"
      aria-labelledby="notifications-title"
      data-state={view.state}
    >
      <h2 id="notifications-title">Notifications on this device</h2>
      {view.state === 'unsupported' ? <p className="muted">{view.reason}</p> : null}
      {view.state === 'loading' ? <p className="muted">Checking…</p> : null}
      {view.state === 'denied' ? (
        <p className="muted">
          Notifications are blocked for this site in the browser. Allow them in the site settings,
          then reload.
        </p>
      ) : null}
      {view.state === 'error' ? (
        <p className="notice" role="alert">
          {view.message}{' '}
          <button type="button" onClick={() => act(refresh)} disabled={busy}>
            Retry
          </button>
        </p>
      ) : null}
      {view.state === 'off' ? (
        <>
          <p className="muted">
            Get a notification when an agent waits for you, a turn ends, a terminal exits or a
            session fails, while you are not looking at that session.
          </p>
          <button type="button" onClick={enable} disabled={busy}>
            Enable notifications
          </button>
        </>
      ) : null}
      {view.state === 'on' ? (
        <>
          <fieldset disabled={busy}>
            <legend>Notify me when</legend>
            {KINDS.map(({ kind, label }) => (
              <label key={kind} className="checkbox">
                <input
                  type="checkbox"
                  name={kind}
                  checked={view.sub.prefs[kind]}
                  onChange={(e) => toggle(view.sub, kind, e.currentTarget.checked)}
                />{' '}
                {label}
              </label>
            ))}
          </fieldset>
          <button type="button" onClick={() => disable(view.sub)} disabled={busy}>
            Turn notifications off
          </button>
        </>
      ) : null}
    </section>
  );
}
