// The real graphql-request 7 (it posts with the global fetch, Headers and URL). Runs inside the isolate.
export * from 'graphql-request';
export { default } from 'graphql-request';
