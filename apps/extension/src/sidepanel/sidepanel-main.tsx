import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ErrorBoundary } from '../../../web/src/shell/error-boundary.js';
import { ExtensionRoot } from '../shell/extension-root.js';
import { SidePanelApp } from './sidepanel-app.js';
import '../../../web/src/styles.css';
import '../extension.css';

const container = document.getElementById('root');
if (!container) throw new Error('sidepanel.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <ErrorBoundary what="the baton side panel">
      <ExtensionRoot mode="sidepanel">
        <SidePanelApp />
      </ExtensionRoot>
    </ErrorBoundary>
  </StrictMode>,
);
