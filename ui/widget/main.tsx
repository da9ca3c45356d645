import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../shared/styles.css';
import './widget.css';
import { App } from './app.tsx';
import { WidgetController } from './controller.ts';

// One SDK instance per page, created before React renders (never twice under StrictMode).
const controller = new WidgetController();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App controller={controller} />
  </StrictMode>,
);
