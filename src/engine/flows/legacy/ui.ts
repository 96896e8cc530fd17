/** The editor's `_ui` section for a migrated flow: where each node sits and how the editor shows it. */
export type UINodeType =
  | 'execute_actions' | 'wait_for_response' | 'split_by_airtime' | 'split_by_subflow' | 'split_by_webhook'
  | 'split_by_resthook' | 'split_by_groups' | 'split_by_expression' | 'split_by_contact_field'
  | 'split_by_run_result' | 'split_by_run_result_delimited' | 'split_by_random';

export type NodeUIConfig = Record<string, unknown> & { cases?: Record<string, unknown> };

export interface NodeUI {
  type: UINodeType;
  position: { left: number; top: number };
  config?: NodeUIConfig;
}

export function nodeUI(type: UINodeType, x: number, y: number, config: NodeUIConfig | null): NodeUI {
  const ui: NodeUI = { type, position: { left: x, top: y } };
  if (config && Object.keys(config).length > 0) ui.config = config;
  return ui;
}

export function addCaseConfig(config: NodeUIConfig, caseUUID: string, caseConfig: Record<string, unknown>): void {
  (config.cases ??= {})[caseUUID] = caseConfig;
}

export interface Sticky {
  position: { left: number; top: number };
  title: string;
  body: string;
  color: string;
}
