/** Interns strings as dense int ids, so window keys and columns are integers, not strings. */
export class StringDictionary {
  private readonly idOf = new Map<string, number>();
  private readonly values: string[] = [];

  intern(value: string): number {
    let id = this.idOf.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.idOf.set(value, id);
    }
    return id;
  }

  get strings(): readonly string[] {
    return this.values;
  }

  clear(): void {
    this.idOf.clear();
    this.values.length = 0;
  }
}
