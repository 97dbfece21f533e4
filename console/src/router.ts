import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/deliveries?status=dead`), so the server serves one page and a reload keeps the view. */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path, query = ''] = text.split('?', 2);
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [initial] = useState(() => location.hash);
  const [route, setRoute] = useState(() => parseHash(initial));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    // The hash may have changed between the first render and now (effects run after paint): a view
    // mounted by signing in, then sent elsewhere at once, would otherwise stay where it started.
    if (location.hash !== initial) onChange();
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return `#/${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, query: Record<string, string | undefined> = {}): void {
  location.hash = href(path, query);
}
