// js-yaml is already installed (eslint's config loader uses it); it ships no types of its own.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
