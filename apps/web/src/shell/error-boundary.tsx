import { Component, type ReactNode } from 'react';
import './error-boundary.css';

interface Props {
  /** What failed, in the heading ("this page", "baton"). */
  readonly what: string;
  readonly children: ReactNode;
}

interface State {
  readonly error: Error | undefined;
}

/**
 * Catches what a page throws while rendering, so one broken page shows a clear message with a
 * way back instead of a white window. Routes are wrapped one by one (keyed by path, so going
 * elsewhere starts afresh) and the app root once more for what happens outside them. Links are
 * plain anchors: the app's own router may be what failed.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="page error-page" role="alert">
        <h1>Something went wrong in {this.props.what}</h1>
        <p>
          baton could not show this. Your sessions are safe on the server; nothing was lost by this
          page failing.
        </p>
        <p className="error-detail">
          <code>{error.message}</code>
        </p>
        <p className="error-actions">
          <a href="/">Back to the sessions</a>
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </main>
    );
  }
}
