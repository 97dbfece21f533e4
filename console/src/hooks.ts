import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, messageOf } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads once per change of `deps`, then again every `pollMs` while the tab is visible. A poll that
 * fails keeps the last data on screen and shows the error beside it; the next poll clears it.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number, onError?: (e: unknown) => void): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const value = await loadRef.current();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (mine !== generation.current) return;
      setError(e instanceof Error ? e : new Error(messageOf(e)));
      onError?.(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    void reload();
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, pollMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, deps);

  return { data, error, loading, reload };
}
