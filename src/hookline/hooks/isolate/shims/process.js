// The few `process` fields bundled libraries read; a hook itself sees no `process`.
export const process = { version: 'v20.0.0', versions: {}, env: {}, platform: 'hookline', browser: true };
