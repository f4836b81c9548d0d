// Every string the page shows, in Chinese (the default language).
export const zhCN = {
  appTitle: 'wardgis 城管地理信息工作站',
  openProject: '文件 › 打开…',
  switchLanguage: 'English',
  layers: '图层',
  groups: { facility: '管理设施', context: '管理单元与场所', basemap: '底图' },
  featureCount: (n: number) => `${n} 个`,
  syntheticNote: '示范区街道、设施均为生成的示意数据（source = synthetic-demo），县界为真实数据。',
  cursor: (lon: string, lat: string) => `经度 ${lon}  纬度 ${lat}`,
  attributes: '属性',
  fid: '要素编号',
  name: '名称',
  source: '来源',
  yes: '是',
  no: '否',
  empty: '—',
  loading: '正在加载…',
  openFailed: (msg: string) => `打开失败：${msg}`,
  projectFilter: 'GeoPackage 工程',
};
export type Strings = typeof zhCN;
