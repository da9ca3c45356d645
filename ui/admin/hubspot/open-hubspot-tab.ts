/**
 * Opens HubSpot's authorize page in a new tab. The tab is opened synchronously
 * inside the click (pop-up blockers allow that) on a placeholder, and pointed
 * at HubSpot once the server has created the authorization; `null` means the
 * browser blocked it and the page must offer a link instead.
 */
export function openPlaceholderTab(): Window | null {
  const tab = window.open('', '_blank');
  if (!tab) return null;
  try {
    tab.document.title = 'Opening HubSpot…';
    tab.document.body.style.font = '15px system-ui, sans-serif';
    tab.document.body.style.margin = '40px';
    tab.document.body.textContent = 'Opening HubSpot…';
  } catch {
    // Not ours to write to (some browsers): harmless.
  }
  return tab;
}

/** Sends the placeholder tab to HubSpot; the tab may not reach back into this page. */
export function sendTabTo(tab: Window, url: string): void {
  tab.opener = null;
  tab.location.href = url;
}
