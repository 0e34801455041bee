import * as vscode from 'vscode';

/** Thrown inside a step when the user pressed the Back button; the driver re-runs the previous step. */
class BackSignal extends Error {}
/** Thrown when the user cancelled (Escape or focus loss): the whole flow ends and nothing is kept. */
export class CancelledSignal extends Error {}
/** Thrown when one of a step's own buttons was pressed: the flow ends and the caller acts on `button`. */
export class ButtonSignal extends Error {
  constructor(readonly button: vscode.QuickInputButton) {
    super('button');
  }
}

/** A step returns `'skip'` when it does not apply to the current state; Back then passes over it too. */
export type Step<S> = (input: MultiStepInput, state: S) => Promise<void | 'skip'>;

/** Where a step is in its flow: the title bar's "Title (2/5)". */
export interface StepPosition {
  readonly title: string;
  readonly step: number;
  /** Left out while the route can still change: VS Code then shows the step number alone. */
  readonly totalSteps?: number;
}

/** A check's answer: nothing, an error (a string, or severity Error) that blocks Enter, or a warning or info that does not. */
export type Validation = string | vscode.InputBoxValidationMessage | undefined;

/** A corrected value the box offers as a title-bar button while the typed one has a known mistake. */
export interface Rewrite {
  readonly tooltip: string;
  readonly value: string;
}

export interface InputBoxOptions extends StepPosition {
  readonly value?: string;
  readonly prompt: string;
  readonly placeholder?: string;
  readonly password?: boolean;
  /** Synchronous check on each keystroke; only an error stops Enter. */
  readonly validate?: (value: string) => Validation;
  /** Slower check on Enter (for example a network call); the box shows busy and stays open on any returned message. */
  readonly validateOnAccept?: (value: string) => Promise<Validation>;
  /** Extra title-bar buttons; pressing one ends the flow with a `ButtonSignal`. */
  readonly buttons?: readonly vscode.QuickInputButton[];
  /** A one-click correction for the current value: shown as a title-bar button, pressing it puts the value in the box. */
  readonly rewrite?: (value: string) => Rewrite | undefined;
}

function isError(message: Validation): boolean {
  return typeof message === 'string' || message?.severity === vscode.InputBoxValidationSeverity.Error;
}

export interface QuickPickOptions<T extends vscode.QuickPickItem> extends StepPosition {
  readonly items: readonly T[];
  readonly activeItem?: T;
  readonly placeholder?: string;
}

/**
 * A multi-step quick input with Back buttons, after vscode-extension-samples' quickinput sample. Each step is an
 * async function; the history lets Back return to the previous step with its state kept.
 */
export class MultiStepInput {
  private current?: vscode.QuickInput;

  static async run<S>(first: Step<S>, state: S, steps: Step<S>[]): Promise<boolean> {
    const input = new MultiStepInput();
    const order = [first, ...steps];
    let index = 0;
    let goingBack = false;
    try {
      while (index < order.length) {
        try {
          const result = await order[index](input, state);
          if (result === 'skip' && goingBack && index > 0) {
            index -= 1;
            continue;
          }
          goingBack = false;
          index += 1;
        } catch (error: unknown) {
          if (!(error instanceof BackSignal)) throw error;
          goingBack = index > 0;
          index = Math.max(0, index - 1);
        }
      }
      return true;
    } catch (error: unknown) {
      if (error instanceof CancelledSignal) return false;
      throw error;
    } finally {
      input.current?.dispose();
    }
  }

  showInputBox(options: InputBoxOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const box = vscode.window.createInputBox();
      box.title = options.title;
      box.step = options.step;
      box.totalSteps = options.totalSteps;
      box.value = options.value ?? '';
      box.prompt = options.prompt;
      box.placeholder = options.placeholder;
      box.password = options.password ?? false;
      box.ignoreFocusOut = true;
      let rewrite: Rewrite | undefined;
      let fixButton: vscode.QuickInputButton | undefined;
      // The message and the one-click fix follow the value, also when the step is shown again with a value kept.
      const update = (value: string) => {
        box.validationMessage = options.validate?.(value);
        rewrite = options.rewrite?.(value);
        fixButton = rewrite && { iconPath: new vscode.ThemeIcon('wand'), tooltip: rewrite.tooltip };
        box.buttons = [...(options.step > 1 ? [vscode.QuickInputButtons.Back] : []), ...(options.buttons ?? []), ...(fixButton ? [fixButton] : [])];
      };
      update(box.value);
      let accepting = false;
      const disposables: vscode.Disposable[] = [
        box.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) reject(new BackSignal());
          else if (button === fixButton && rewrite) {
            box.value = rewrite.value;
            update(box.value);
          } else if (options.buttons?.includes(button)) reject(new ButtonSignal(button));
        }),
        box.onDidChangeValue(update),
        box.onDidAccept(async () => {
          if (accepting) return;
          const value = box.value;
          const problem = options.validate?.(value);
          if (isError(problem)) {
            box.validationMessage = problem;
            return;
          }
          if (options.validateOnAccept) {
            accepting = true;
            box.busy = true;
            box.enabled = false;
            try {
              const slowProblem = await options.validateOnAccept(value);
              if (slowProblem) {
                box.validationMessage = slowProblem;
                return;
              }
            } finally {
              accepting = false;
              box.busy = false;
              box.enabled = true;
            }
          }
          resolve(value);
        }),
        box.onDidHide(() => reject(new CancelledSignal())),
      ];
      this.replace(box, disposables);
    });
  }

  showQuickPick<T extends vscode.QuickPickItem>(options: QuickPickOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pick = vscode.window.createQuickPick<T>();
      pick.title = options.title;
      pick.step = options.step;
      pick.totalSteps = options.totalSteps;
      pick.items = options.items;
      pick.placeholder = options.placeholder;
      pick.ignoreFocusOut = true;
      if (options.activeItem) pick.activeItems = [options.activeItem];
      pick.buttons = options.step > 1 ? [vscode.QuickInputButtons.Back] : [];
      const disposables: vscode.Disposable[] = [
        pick.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) reject(new BackSignal());
        }),
        pick.onDidAccept(() => {
          const [selected] = pick.selectedItems;
          if (selected) resolve(selected);
        }),
        pick.onDidHide(() => reject(new CancelledSignal())),
      ];
      this.replace(pick, disposables);
    });
  }

  /** Shows the next input in place of the current one, so focus and position stay put. */
  private replace(next: vscode.QuickInput, disposables: vscode.Disposable[]): void {
    const previous = this.current;
    this.current = next;
    next.onDidHide(() => disposables.forEach((d) => d.dispose()));
    next.show();
    previous?.dispose();
  }
}
