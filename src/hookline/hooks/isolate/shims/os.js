// node:os for bundled libraries that describe their platform (e.g. @slack/webhook's User-Agent).
export const platform = () => 'hookline';
export const release = () => 'sandbox';
export const EOL = '\n';
export default { platform, release, EOL };
