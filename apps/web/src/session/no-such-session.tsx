import type { ReactNode } from 'react';
import { Link } from '../routing/link.js';

/** The page for a session address that names no session (a wrong id, an unknown name). */
export function NoSuchSession({ reference }: { reference: string }): ReactNode {
  return (
    <main className="page">
      <h1>No such session</h1>
      <p>
        Session <code>{reference}</code> does not exist; it may have been deleted.{' '}
        <Link href="/">Back to the sessions</Link>
      </p>
    </main>
  );
}
