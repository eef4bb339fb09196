/** Vite turns a stylesheet import into a <link> to a hashed file of this origin. */
declare module '*.css';
