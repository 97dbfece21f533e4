// Stylesheets are bundled by esbuild; TypeScript only needs to know the import is intended.
declare module '*.css';
