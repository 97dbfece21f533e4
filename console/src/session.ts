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

/**
 * The admin API's path, relative to the page: the page is `<path>/console`, the API `<path>/…`. Nothing is
 * written into the page by the server, so a custom path, a global prefix or a proxy's prefix all just work.
 */
export function adminPath(): string {
  return new URL('.', location.href).pathname.replace(/\/+$/, '');
}
