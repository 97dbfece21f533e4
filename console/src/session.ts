/** The token lives in sessionStorage only: it goes with the tab, and sign-out removes it. */
const KEY = 'hookline.console.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

/** The admin path the server wrote into the page (`<meta name="hookline-admin-path">`). */
export function adminPath(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="hookline-admin-path"]');
  return meta?.content.replace(/\/+$/, '') ?? '';
}
