"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Follow a Server-Sent Events stream of the API (evaluation or optimization progress).
 * Calls `onEvent(name, data)` for each named event; the stream ends itself when the job
 * reaches a terminal state, and is closed when the component unmounts.
 */
export function useEventStream(
  url: string | null,
  events: string[],
  onEvent: (name: string, data: unknown) => void,
): { open: boolean } {
  const [open, setOpen] = useState(false);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const names = events.join(",");

  useEffect(() => {
    if (!url) return;
    const source = new EventSource(url);
    setOpen(true);
    const listeners = names.split(",").map((name) => {
      const listener = (event: MessageEvent<string>) => {
        let data: unknown = event.data;
        try {
          data = JSON.parse(event.data);
        } catch {
          // not JSON: hand over the text
        }
        handler.current(name, data);
      };
      source.addEventListener(name, listener as EventListener);
      return [name, listener] as const;
    });
    // The server closes the stream after the terminal event; don't let EventSource reconnect.
    source.onerror = () => {
      source.close();
      setOpen(false);
    };
    return () => {
      listeners.forEach(([name, listener]) => source.removeEventListener(name, listener as EventListener));
      source.close();
      setOpen(false);
    };
  }, [url, names]);

  return { open };
}
