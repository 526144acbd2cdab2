/**
 * Strings of the duty desk's alarms (a sound and a notification per kind, each mutable), the consoles' first-visit
 * hints, and the wall's stale and withdrawn states.
 */
export const deskZh = {
  'alarm.title': '提醒',
  'alarm.enable': '启用提示音和桌面通知',
  'alarm.soundOn': '提示音已开启',
  'alarm.notifyOn': '桌面通知已开启',
  'alarm.notifyDenied': '浏览器已禁止通知',
  'alarm.kind.redAlert': '红色预警',
  'alarm.kind.critical': '特急案件',
  'alarm.kind.returned': '退回待裁定',
  'alarm.mute': '静音：{kind}',
  'alarm.unmute': '取消静音：{kind}',
  'alarm.notify.redAlert': '新的红色预警',
  'alarm.notify.critical': '新的特急案件（5级）',
  'alarm.notify.returned': '案件被退回，待裁定',

  'hint.close': '知道了',
  'hint.label': '使用提示',
  'hint.duty': '试一试：在左侧队列选中一件新案件，先“分流”，再“吹哨”派给部门；部门工作台和大屏的“在办吹哨·点名”会立即显示。右上方的预警可直接点开处置，顶部可开启提示音和桌面通知。',
  'hint.dept': '试一试：值班台吹哨后，本部门的新任务会在这里响铃并置顶；点“报到”确认接手，办理后“反馈办结”，办不了可“退回”并说明理由。',
  'hint.leader': '试一试：点开风险热点看构成，拖动热力回放查看近7天的变化，在“报表”中下载日报、周报或月报的 PDF。',

  'wall.alertExternal': '外部预警',
  'wall.stale': '数据未更新',
  'wall.withdrawn.title': '本大屏的访问权限已被收回',
  'wall.withdrawn.body': '系统管理员已撤销本屏幕的授权码。请联系管理员获取新的大屏链接。',
};

export const deskEn: Record<keyof typeof deskZh, string> = {
  'alarm.title': 'Alerts',
  'alarm.enable': 'Turn on sound and desktop notifications',
  'alarm.soundOn': 'Sound on',
  'alarm.notifyOn': 'Notifications on',
  'alarm.notifyDenied': 'Notifications blocked by the browser',
  'alarm.kind.redAlert': 'Red alerts',
  'alarm.kind.critical': 'Critical cases',
  'alarm.kind.returned': 'Returns to decide',
  'alarm.mute': 'Mute: {kind}',
  'alarm.unmute': 'Unmute: {kind}',
  'alarm.notify.redAlert': 'New red alert',
  'alarm.notify.critical': 'New critical case (severity 5)',
  'alarm.notify.returned': 'A case was returned and awaits your decision',

  'hint.close': 'Got it',
  'hint.label': 'Tip',
  'hint.duty': 'Try it: pick a new case in the queue on the left, triage it, then blow the whistle to a department; the department console and the wall\'s roll-call show it at once. Open an alert on the right to act on it, and turn on sound and notifications at the top.',
  'hint.dept': 'Try it: when the duty desk blows a whistle, your new task rings and comes to the top here; report in to take it, report back when handled, or return it with a reason.',
  'hint.leader': 'Try it: open a risk hotspot to see what makes it up, drag the heat replay across the last 7 days, and download a daily, weekly or monthly report as PDF under Reports.',

  'wall.alertExternal': 'External alert',
  'wall.stale': 'Not updating',
  'wall.withdrawn.title': 'This screen\'s access was withdrawn',
  'wall.withdrawn.body': 'An administrator revoked this screen\'s kiosk code. Ask an administrator for a new wall link.',
};
