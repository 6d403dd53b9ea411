import type { AuditEntry } from '@baton/protocol';

/** What an audit entry's action means, in words, with its details. */
export function describeEntry(e: AuditEntry): string {
  const d = e.detail ?? {};
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  switch (e.action) {
    case 'input':
      return d['kind'] === 'terminal'
        ? `typed ${text(d['count'])} keystroke${d['count'] === 1 ? '' : 's'} (#${text(d['seqFrom'])}–#${text(d['seqTo'])})`
        : `sent a message (#${text(d['seq'])})`;
    case 'input.withdraw':
      return `withdrew a queued message (#${text(d['seq'])})`;
    case 'permission.answer':
      return `answered a permission prompt: ${text(d['decision'])}`;
    case 'agent.settings': {
      const what: string[] = [];
      if (d['model'] !== undefined) what.push(`the model to ${text(d['model'])}`);
      if (d['permissionMode'] !== undefined)
        what.push(`the permission mode to ${text(d['permissionMode'])}`);
      return `set ${what.join(' and ')}`;
    }
    case 'session.rename':
      return `renamed the session from “${text(d['from'])}” to “${text(d['to'])}”`;
    case 'session.create':
      return `created the ${text(d['kind'])} session “${text(d['name'])}”`;
    case 'session.delete':
      return `deleted the session “${text(d['name'])}”`;
    case 'device.role':
      return `made ${text(d['name'])} ${text(d['to'])} (was ${text(d['from'])})`;
    case 'device.session-role':
      return d['to'] === null
        ? `gave ${text(d['device'])} its own role on the session again`
        : `made ${text(d['device'])} ${text(d['to'])} on the session`;
    case 'device.rename':
      return `renamed a device from “${text(d['from'])}” to “${text(d['to'])}”`;
    case 'device.revoke':
      return `revoked ${text(d['name'] ?? d['device'])}`;
    case 'device.register':
      return `added the device “${text(d['name'])}” as ${text(d['role'])}`;
    case 'settings.change': {
      const change = d['auditReadRole'] as { to?: unknown } | undefined;
      return change ? `let ${text(change.to)}s and up read the audit log` : 'changed the settings';
    }
    case 'session.stop':
      return 'stopped the session';
    case 'session.restart':
      return 'restarted the session';
    case 'session.interrupt':
      return 'interrupted the session';
    default:
      return e.detail === undefined ? e.action : `${e.action} ${JSON.stringify(e.detail)}`;
  }
}
