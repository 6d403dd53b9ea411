import { useEffect, type RefObject } from 'react';

export const MIN_FONT_SIZE = 6;
export const MAX_FONT_SIZE = 32;

/**
 * Two-finger pinch on the terminal changes its font size (within MIN..MAX), instead of zooming
 * the whole page. One finger still scrolls and selects as usual.
 */
export function usePinchZoom(
  hostRef: RefObject<HTMLElement | null>,
  fontSize: number,
  setFontSize: (size: number) => void,
): void {
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    let start: { distance: number; size: number } | undefined;
    const distance = (t: TouchList): number =>
      Math.hypot(t[0]!.clientX - t[1]!.clientX, t[0]!.clientY - t[1]!.clientY);
    const onStart = (e: TouchEvent): void => {
      if (e.touches.length === 2) start = { distance: distance(e.touches), size: fontSize };
    };
    const onMove = (e: TouchEvent): void => {
      if (!start || e.touches.length !== 2 || start.distance === 0) return;
      e.preventDefault();
      const next = (start.size * distance(e.touches)) / start.distance;
      setFontSize(Math.round(Math.min(MAX_FONT_SIZE, Math.max(MIN_FONT_SIZE, next)) * 2) / 2);
    };
    const onEnd = (e: TouchEvent): void => {
      if (e.touches.length < 2) start = undefined;
    };
    host.addEventListener('touchstart', onStart, { passive: true });
    host.addEventListener('touchmove', onMove, { passive: false });
    host.addEventListener('touchend', onEnd, { passive: true });
    host.addEventListener('touchcancel', onEnd, { passive: true });
    return () => {
      host.removeEventListener('touchstart', onStart);
      host.removeEventListener('touchmove', onMove);
      host.removeEventListener('touchend', onEnd);
      host.removeEventListener('touchcancel', onEnd);
    };
  }, [hostRef, fontSize, setFontSize]);
}
