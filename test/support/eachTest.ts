/** A fresh world (emulators, a share, …) for every test of a suite, closed after it even when the test fails. */
export function eachTest<W extends { close(): Promise<void> }>(make: () => Promise<W>, use: (world: W) => void): void {
  let current: W | undefined;
  beforeEach(async () => {
    current = await make();
    use(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}
