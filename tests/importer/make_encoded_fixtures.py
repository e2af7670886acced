"""Write the fixtures that must be stored in legacy encodings (GB18030, Big5, UTF-8 with BOM).

Run from the repository root after editing a text below:
``.venv/bin/python tests/importer/make_encoded_fixtures.py``. The texts are invented.
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"

GB18030_TEXT = """\
当前位置：首页 > 新闻动态 > 部门信息

岚州市水利局部署汛前检查工作

发布时间：2023-04-11　　来源：岚州市水利局　　【字号：大 中 小】

　　4月10日，岚州市水利局召开汛前检查工作会议，部署全市水库、堤防、山洪灾害防治设施汛前检查工作。

　　会议要求，各县区要对辖区内所有水利工程逐一排查，建立问题清单，限期整改到位，确保安全度汛。

　　会议还对防汛物资储备、应急队伍建设等工作提出了明确要求。（记者 吴海峰　通讯员 林小溪）

责任编辑：何青山
"""

BIG5_TEXT = """\
您現在的位置：首頁 > 新聞中心 > 地方新聞

嵐山縣舉辦傳統手工藝展覽

發佈日期：2022年10月15日　來源：嵐山縣文化局

　　10月14日，嵐山縣傳統手工藝展覽在縣文化中心開幕，剪紙、刺繡、竹編等200餘件作品集中亮相。

　　展覽將持續至11月15日，市民可免費參觀。縣文化局局長陳思遠表示，希望通過展覽讓更多人了解和喜愛傳統手工藝。

（記者 鄭佳怡）

責任編輯：王曉嵐
"""

BOM_TEXT = """\
当前位置：首页 > 民生

岚州市新增公共充电桩500个

发布时间：2023-11-02 15:30　来源：岚州市发展改革委

　　记者从市发展改革委了解到，今年以来，岚州市新建公共充电桩500个，覆盖全市主要商圈、景区和高速公路服务区。

　　市发展改革委有关负责人表示，明年还将新建充电桩800个，进一步方便新能源汽车车主出行。

（记者 萧白）
"""

GB_HTML = """\
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta charset="gb2312">
<title>青禾县举行重点项目集中开工仪式_青禾县人民政府</title>
<meta name="SiteName" content="青禾县人民政府">
<meta name="ColumnName" content="县域要闻">
<meta name="ArticleTitle" content="青禾县举行重点项目集中开工仪式">
<meta name="PubDate" content="2023-03-28 17:42">
<meta name="ContentSource" content="青禾县融媒体中心">
<link rel="canonical" href="http://www.qinghe-example.gov.cn/xwzx/xyyw/202303/t20230328_5678.html">
<script type="text/javascript">var _hmt = _hmt || []; document.write("统计代码");</script>
<style>body{font-size:14px} .nav li{float:left}</style>
</head>
<body>
<div class="top"><div class="logo"><img src="/images/logo.png" alt="青禾县人民政府"></div>
<div class="topnav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/bsfw/">办事服务</a> | <a href="/hdjl/">互动交流</a></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>
<div class="main">
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; <a href="/xwzx/xyyw/">县域要闻</a></div>
  <div class="article">
    <h1 class="title">青禾县举行重点项目集中开工仪式</h1>
    <div class="info">发布时间：2023-03-28&nbsp;&nbsp;来源：青禾县融媒体中心&nbsp;&nbsp;【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】&nbsp;&nbsp;浏览次数：<span id="count"></span></div>
    <div class="TRS_Editor">
      <p>　　3月28日，青禾县举行2023年第一季度重点项目集中开工仪式，此次集中开工项目共18个，总投资56.8亿元。</p>
      <p>　　开工项目涵盖先进制造、现代农业、基础设施和社会民生等领域，其中投资超过5亿元的项目有4个。</p>
      <p style="text-align:center"><img src="./W020230328123456.jpg" alt="开工仪式现场" /></p>
      <p style="text-align:center">开工仪式现场。通讯员 叶知秋 摄</p>
      <p>　　县委书记曹文博在开工仪式上要求，各级各部门要强化服务保障，全力推动项目早建成、早投产、早见效。</p>
    </div>
    <div class="editor">责任编辑：蒋若愚</div>
    <div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
    <div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
  </div>
</div>
<div class="footer">版权所有：青禾县人民政府办公室　地址：青禾县人民路1号　岚ICP备00000000号</div>
<script>var a = "<p>不是正文</p>";</script>
</body>
</html>
"""


def main() -> None:
    """Write every encoded fixture beside the others."""
    (FIXTURES / "30_gb18030.txt").write_bytes(GB18030_TEXT.encode("gb18030"))
    (FIXTURES / "31_big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (FIXTURES / "32_utf8_bom.txt").write_bytes(BOM_TEXT.encode("utf-8-sig"))
    (FIXTURES / "33_trs_gb2312.html").write_bytes(GB_HTML.encode("gb18030"))


if __name__ == "__main__":
    main()
