// The part of madge's API the boundaries test uses (madge ships no types).
declare module 'madge' {
  interface MadgeResult {
    obj(): Record<string, string[]>;
    circular(): string[][];
  }
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    tsConfig?: string;
    excludeRegExp?: RegExp[];
  }
  function madge(paths: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
  export default madge;
}
