import { createContext } from 'react';
import type { BatonClient } from '@baton/client';

/** The client of the nearest `BatonProvider`; `null` outside one. */
export const BatonContext = createContext<BatonClient | null>(null);
