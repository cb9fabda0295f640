// Short messages the app shows for a few seconds in a corner (where a file was saved, why
// it could not be): one store, rendered once by the shell.

import { Observable } from './observable';

export interface Notice {
  id: number;
  text: string;
  failed: boolean;
}

const SHOWN_MS = 6000;

class Notices extends Observable {
  list: Notice[] = [];
  private next = 1;

  say(text: string, failed = false): void {
    const notice = { id: this.next++, text, failed };
    this.list = [...this.list, notice].slice(-3);
    this.changed();
    setTimeout(() => this.dismiss(notice.id), SHOWN_MS);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
    this.changed();
  }
}

export const notices = new Notices();
