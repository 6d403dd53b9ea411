import {
  describeBytes,
  isImageType,
  stripUnprintable,
  type MessageAttachment,
} from '@baton/protocol';

/**
 * A message's attachment in a terminal, which shows no pictures: `[image: photo.jpg, 212.4 KiB]`
 * (the web app shows the thumbnail). The name is the sender's, so it is made printable.
 */
export function describeAttachment(a: MessageAttachment): string {
  const kind = a.type !== undefined && isImageType(a.type) ? 'image' : 'file';
  const size = a.size !== undefined ? `, ${describeBytes(a.size)}` : '';
  return `[${kind}: ${stripUnprintable(a.name ?? a.id.slice(0, 12))}${size}]`;
}
