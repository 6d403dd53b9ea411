import type { ReactNode } from 'react';

/** An error under a form or control, announced at once (role="alert"); nothing without one. */
export function ErrorNotice({ error }: { error: string | null | undefined }): ReactNode {
  return error ? (
    <p role="alert" className="notice notice-error">
      {error}
    </p>
  ) : null;
}
