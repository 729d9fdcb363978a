/** A consumer group (or its stream) is gone: after FLUSHALL, a deleted key, or a trim to nothing. */
export function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/** The group already exists: the normal answer to a second `XGROUP CREATE`. */
export function isBusyGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
