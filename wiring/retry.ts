/** Real waits between conflicting audit appends (core takes them injected; tests pass none or zero delays). */
export const realRetry = {
  delay: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};
