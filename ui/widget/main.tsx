import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../shared/styles.css';
import './widget.css';
import { App } from './app.tsx';
import { WidgetController } from './controller.ts';
import { SignInWindow } from './sign-in-window.tsx';
import { SIGN_IN_WINDOW } from './sign-in.ts';

const root = createRoot(document.getElementById('root')!);
if (location.pathname.startsWith(SIGN_IN_WINDOW)) {
  // The window the widget opens to sign in (top-level, not inside HubSpot): no SDK here.
  root.render(
    <StrictMode>
      <SignInWindow />
    </StrictMode>,
  );
} else {
  // One SDK instance per page, created before React renders (never twice under StrictMode).
  const controller = new WidgetController();
  root.render(
    <StrictMode>
      <App controller={controller} />
    </StrictMode>,
  );
}
