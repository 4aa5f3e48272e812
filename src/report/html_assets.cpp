// The HTML report's style sheet and drawing script, inlined into every page
// so the file opens without network access. Charts are SVG drawn here.
#include "report/html_report.hpp"

namespace callhook::report {

const char* const k_html_style = R"CALLHOOK(
:root{--bg:#fff;--fg:#1d232a;--muted:#5f6b76;--grid:#e3e7eb;--panel:#f5f7f9;--ok:#1a7f37;--bad:#cf222e;
--warn:#bf8700;--s0:#0969da;--s1:#1a7f37;--s2:#8250df;--s3:#bf3989;--s4:#bc4c00;--s5:#57606a;--s6:#0a7f86;--s7:#cf222e;--s8:#9a6700}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--grid:#30363d;--panel:#161b22;
--ok:#3fb950;--bad:#f85149;--warn:#d29922;--s0:#4493f8;--s1:#3fb950;--s2:#a371f7;--s3:#db61a2;--s4:#f0883e;
--s5:#8d96a0;--s6:#39c5cf;--s7:#f85149;--s8:#d29922}}
*{box-sizing:border-box}body{margin:0;padding:0 24px 48px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}h1{font-size:20px;margin:16px 0 4px}
h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid var(--grid);padding-bottom:4px}
section{break-inside:avoid;page-break-inside:avoid}table{border-collapse:collapse;margin:6px 0}
td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}th{color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:var(--ok)}.bad{color:var(--bad)}
.muted{color:var(--muted)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:var(--panel);padding:8px;overflow:auto;max-height:360px;white-space:pre-wrap;word-break:break-all}
svg{display:block;width:100%;height:auto}svg text{fill:var(--muted);font-size:11px}.axis{stroke:var(--grid)}
svg text.evlabel{fill:var(--fg);font:9px ui-monospace,monospace}#event-legend span{margin-right:14px;white-space:nowrap}
#event-legend b{font:11px ui-monospace,monospace}
.chart{margin:8px 0 16px}.legend span{margin-right:14px;white-space:nowrap}.legend i{display:inline-block;width:12px;
height:3px;vertical-align:middle;margin-right:4px}.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center;
margin:8px 0}.filters select{background:var(--bg);color:var(--fg);border:1px solid var(--grid);padding:2px 4px}
#page-errors:empty{display:none}#page-errors{color:var(--bad)}.rowlabel{font:11px ui-monospace,monospace;fill:var(--fg)}
.row:hover .rowbg{fill:var(--panel)}.mark{cursor:pointer}.m-delivered{fill:var(--ok);stroke:var(--ok)}
.m-retry{fill:var(--warn);stroke:var(--warn)}.m-failed{fill:var(--bad);stroke:var(--bad)}.m-too_slow{fill:var(--s3);stroke:var(--s3)}
.m-rejected{fill:var(--s6);stroke:var(--s6)}.probe-ok{fill:var(--ok)}.probe-bad{fill:var(--bad)}
.m-dropped{stroke:var(--bad);fill:none;stroke-width:2}.m-cancelled{fill:var(--s5);stroke:var(--s5)}
.dup{stroke:var(--s2);stroke-width:2;fill:none}.reorder{fill:var(--s4)}.finding{fill:var(--s7)}
.span{stroke:var(--grid);stroke-width:1}#detail{position:sticky;bottom:0;background:var(--panel);border-top:2px solid var(--grid);
padding:8px 12px;max-height:45vh;overflow:auto}#detail:empty{display:none}
@media print{.filters,#detail{display:none}body{padding:0}pre{max-height:none}}
)CALLHOOK";

const char* const k_html_script = R"CALLHOOK(
(function(){
'use strict';
var errors=[];
function report_error(text){errors.push(text);var el=document.getElementById('page-errors');
 el.textContent='page error: '+errors.join('; ');el.setAttribute('data-errors',String(errors.length));}
window.addEventListener('error',function(e){report_error(e.message||String(e));});
var NS='http://www.w3.org/2000/svg';
function el(tag,attrs,text){var e=document.createElement(tag);for(var k in attrs||{})e.setAttribute(k,attrs[k]);
 if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
function sv(tag,attrs,text){var e=document.createElementNS(NS,tag);for(var k in attrs||{})e.setAttribute(k,attrs[k]);
 if(text!==undefined)e.textContent=String(text);return e;}
// A statistic of nothing (null in the report) is a dash, never 0.
function fmt(v,d){if(v===null||v===undefined)return '\u2013';if(typeof v!=='number')return String(v);
 return Number.isInteger(v)?v.toLocaleString('en-US'):v.toFixed(d===undefined?2:d);}
// The smallest 1, 2, 2.5 or 5 times a power of ten at or above m: round grid lines.
function nice(m){if(!(m>0))return 1;var p=Math.pow(10,Math.floor(Math.log10(m)));var n=m/p;
 return (n<=1?1:n<=2?2:n<=2.5?2.5:n<=5?5:10)*p;}
// The y axis of a chart up to m: four or so steps of a round size; counts
// (whole) get whole steps, so no tick reads 0.5 requests.
function axis(m,whole){var step=nice((m>0?m:1)/4);if(whole){if(step<1)step=1;else if(step%1)step=nice(step*1.01);}
 var n=Math.max(1,Math.ceil((m>0?m:1)/step-1e-9));return {max:step*n,step:step,n:n};}
// The drawing width: the page's, so charts use it whole.
function page_width(){return Math.max(640,Math.round(main.clientWidth||900));}
function span(ms){if(ms<1000)return fmt(ms,0)+' ms';var s=ms/1000;if(s<60)return s.toFixed(1)+' s';
 if(s<3600)return Math.floor(s/60)+'m'+String(Math.round(s%60)).padStart(2,'0')+'s';
 if(s<86400)return Math.floor(s/3600)+'h'+String(Math.floor(s%3600/60)).padStart(2,'0')+'m';
 return (s/86400).toFixed(1)+' days';}
var R=JSON.parse(document.getElementById('report-data').textContent);
var T=JSON.parse(document.getElementById('timeline-data').textContent);
// Keys left out hold their defaults.
T.calls.forEach(function(c){c.a=c.a||[];c.fi=c.fi||[];c.d.forEach(function(d){d.c=d.c||0;d.f=d.f||[];d.t=d.t||[];
 d.why=d.why||'';d.m=d.m||'';d.u=d.u||'';d.b=d.b||'';d.t.forEach(function(a){a.st=a.st||0;a.er=a.er||'';a.v=a.v||'';a.h=a.h||[];a.resp=a.resp||'';});});});
var main=document.getElementById('main');var charts=0;
// Events by a one-letter code, drawn beside each delivery on the timeline.
var event_names=[];T.calls.forEach(function(c){c.d.forEach(function(d){if(event_names.indexOf(d.e)<0)event_names.push(d.e);});});
event_names.sort();var event_code={};event_names.forEach(function(e,i){event_code[e]=i<26?String.fromCharCode(65+i):'E'+(i+1);});
function section(id,title){var s=el('section',{id:'section-'+id});s.appendChild(el('h2',{},title));main.appendChild(s);return s;}
function table(rows,head){var t=el('table');if(head){var tr=el('tr');head.forEach(function(h,i){tr.appendChild(el('th',{class:i?'n':''},h));});t.appendChild(tr);}
 rows.forEach(function(r){var tr=el('tr');r.forEach(function(c,i){var td=el('td',{class:(i&&typeof c==='number')?'n':''});
 if(c instanceof Node)td.appendChild(c);else td.textContent=typeof c==='number'||c===null?fmt(c):String(c);tr.appendChild(td);});t.appendChild(tr);});return t;}
// A line chart: xs (seconds, or labels when xunit is given), series
// [{name, values, cls, dash}]; whole: the values are counts.
function lineChart(parent,title,xs,series,unit,whole,xunit){
 var W=page_width(),H=220,L=56,B=28,Tp=10,Rt=10;var box=el('div',{class:'chart','data-chart':title,'data-whole':whole?'1':'0'});
 box.appendChild(el('div',{},title));
 var top=0;series.forEach(function(s){s.values.forEach(function(v){if(v!==null&&v>top)top=v;});});var ax=axis(top,whole);var max=ax.max;
 var xmax=Math.max(1,xs.length);
 var svg=sv('svg',{viewBox:'0 0 '+W+' '+H,role:'img','aria-label':title});
 function X(i){return L+(W-L-Rt)*i/xmax;}function Y(v){return H-B-(H-B-Tp)*v/max;}
 for(var g=0;g<=ax.n;g++){var v=ax.step*g;svg.appendChild(sv('line',{x1:L,x2:W-Rt,y1:Y(v),y2:Y(v),class:'axis'}));
  svg.appendChild(sv('text',{x:L-6,y:Y(v)+4,'text-anchor':'end',class:'tick'},fmt(Math.round(v*100)/100)));}
 var step=Math.max(1,Math.ceil(xs.length/10));for(var i=0;i<xs.length;i+=step)
  svg.appendChild(sv('text',{x:X(i),y:H-8,'text-anchor':'middle'},xs[i]+(xunit||'s')));
 // Steps: each second's value spans that second.
 series.forEach(function(s){var d='';var pen=false;s.values.forEach(function(v,i){if(v===null){pen=false;return;}
  d+=(pen?'L':'M')+X(i).toFixed(1)+' '+Y(v).toFixed(1)+'L'+X(i+1).toFixed(1)+' '+Y(v).toFixed(1);pen=true;});
  svg.appendChild(sv('path',{d:d,fill:'none',stroke:'var(--'+s.cls+')','stroke-width':2,'stroke-dasharray':s.dash||''}));});
 box.appendChild(svg);var lg=el('div',{class:'legend'});
 series.forEach(function(s){var sp=el('span');var i=el('i');i.style.background='var(--'+s.cls+')';sp.appendChild(i);
  sp.appendChild(document.createTextNode(s.name));lg.appendChild(sp);});
 lg.appendChild(el('span',{class:'muted'},(xunit?'x: wall time of the run ('+xunit+')':'x: wall second of the run')+'; y: '+unit));box.appendChild(lg);parent.appendChild(box);charts++;}
// Counts per bucket: whole ticks.
function barChart(parent,title,labels,values,unit){
 var W=page_width(),H=200,L=56,B=40,Tp=10;var box=el('div',{class:'chart','data-chart':title,'data-whole':'1'});box.appendChild(el('div',{},title));
 var ax=axis(Math.max.apply(null,values.concat([1])),true);var max=ax.max;var svg=sv('svg',{viewBox:'0 0 '+W+' '+H,role:'img','aria-label':title});
 var w=(W-L-10)/Math.max(1,values.length);
 for(var g=0;g<=ax.n;g++){var v=ax.step*g,y=H-B-(H-B-Tp)*v/max;svg.appendChild(sv('line',{x1:L,x2:W-10,y1:y,y2:y,class:'axis'}));
  svg.appendChild(sv('text',{x:L-6,y:y+4,'text-anchor':'end',class:'tick'},fmt(v)));}
 var step=Math.max(1,Math.ceil(values.length/12));
 values.forEach(function(v,i){var h=(H-B-Tp)*v/max;var r=sv('rect',{x:L+i*w+1,y:H-B-h,width:Math.max(1,w-2),height:h,fill:'var(--s0)'});
  r.appendChild(sv('title',{},labels[i]+': '+v));svg.appendChild(r);
  if(i%step===0)svg.appendChild(sv('text',{x:L+i*w+w/2,y:H-B+14,'text-anchor':'middle'},labels[i]));});
 svg.appendChild(sv('text',{x:W/2,y:H-6,'text-anchor':'middle'},unit));box.appendChild(svg);parent.appendChild(box);charts++;}

// 1. The run.
(function(){var s=section('run','Run');var run=R.run;var tot=R.totals;
 var rows=[['scenario',run.scenario+(run.path?' ('+run.path+')':'')],['seed',String(run.seed)],
  ['targets',(run.targets||[]).join(', ')||'-'],['ordering',run.ordering||'-'],
  ['speed',run.speed==='max'?'max':run.speed+'x'],['started',run.started_at||'-'],
  ['wall span',R.duration_s===null?'\u2013':span(R.duration_s*1000)],['virtual span',span(run.virtual_span_ms)],
  ['calls',fmt(run.calls)+(run.call_back_legs?' (+'+fmt(run.call_back_legs)+' call-back legs)':'')],['exit code',R.exit_code===null?'unknown (rebuilt from a journal)':String(R.exit_code)]];
 if(R.interrupted)rows.push(['interrupted',el('span',{class:'bad'},'yes: the run was stopped before its end'+(R.max_duration_reached?' by its max duration':'')+' ('+fmt(tot.cancelled)+' deliveries cancelled)')]);
 s.appendChild(table(rows));
 if(R.expectations.length){s.appendChild(el('h3',{},'Expectations'));s.appendChild(table(R.expectations.map(function(e){
  return [el('span',{class:e.met?'ok':'bad'},e.met?'\u2713 met':'\u2717 not met'),e.text];})));}
 var acc=R.accounting;var line=fmt(tot.planned)+' planned '+(acc.ok?'=':'\u2260')+' '+fmt(tot.delivered)+' delivered + '+
  (tot.rejected_as_expected?fmt(tot.rejected_as_expected)+' rejected as expected + ':'')+fmt(tot.failed)+
  ' failed + '+fmt(tot.dropped)+' dropped'+(tot.cancelled?' + '+fmt(tot.cancelled)+' cancelled':'');
 var p=el('p',{id:'accounting'});p.appendChild(document.createTextNode('accounting: '+line+' '));
 p.appendChild(el('span',{class:acc.ok?'ok':'bad'},acc.ok?'\u2713':'\u2717 '+acc.unaccounted+' unaccounted'));s.appendChild(p);
 var sec=[['accepted_bad_signature',tot.accepted_bad_signature],['accepted_stale_timestamp',tot.accepted_stale_timestamp]].filter(function(x){return x[1];});
 if(sec.length)s.appendChild(el('p',{class:'bad',id:'accepted'},'the receiver accepted deliveries it must refuse: '+sec.map(function(x){return x[0]+' '+fmt(x[1]);}).join(', ')));
 var ev=[];for(var name in R.events){var e=R.events[name];ev.push([name,e.planned,e.sent,e.delivered,e.rejected_as_expected,e.failed,e.dropped,e.retried,e.out_of_order,
  e.latency_ms.p50,e.latency_ms.p99]);}
 s.appendChild(table(ev,['event','planned','sent','delivered','rejected','failed','dropped','retried','out of order','p50 ms','p99 ms']));})();

var ps=R.throughput.per_second;var xs=ps.map(function(p){return p.second;});
// 2. Throughput.
(function(){var s=section('throughput','Throughput');var t=R.throughput;
 s.appendChild(el('p',{},'sent: mean '+fmt(t.mean_sent_per_s,1)+'/s, peak '+fmt(t.peak_sent_per_s)+'/s; delivered: mean '+
  fmt(t.mean_delivered_per_s,1)+'/s, peak '+fmt(t.peak_delivered_per_s)+'/s (per wall second)'));
 if(!ps.length){s.appendChild(el('p',{class:'muted'},'nothing was sent'));return;}
 var series=[{name:'sent',cls:'s0',values:ps.map(function(p){return p.sent;})},
  {name:'delivered',cls:'s1',values:ps.map(function(p){return p.delivered;})}];
 if(R.run.speed!=='max')series.push({name:'planned',cls:'s5',dash:'5 4',values:ps.map(function(p){return p.planned;})});
 // A short run at max speed fits in a second or two: when the timeline
 // holds every call, its attempts give the rate in finer buckets.
 var span_ms=t.span_ms||0,whole_timeline=T.total_calls>0&&T.anomalous_shown+T.normal_shown>=T.total_calls;
 if(R.run.speed==='max'&&span_ms>0&&span_ms<5000&&whole_timeline){
  var bucket=[1,2,5,10,20,50,100,200,500].filter(function(b){return span_ms/b<=60;})[0]||1000;
  var n=Math.max(1,Math.ceil(span_ms/bucket)),sent=[],got=[];for(var i=0;i<n;i++){sent.push(0);got.push(0);}
  T.calls.forEach(function(c){c.d.forEach(function(d){d.t.forEach(function(a){var i=Math.min(n-1,Math.floor(a.s/bucket));sent[i]++;
   if(a.v==='delivered'){var j=Math.min(n-1,Math.floor((a.s+a.l)/bucket));got[j]++;}});});});
  var per=1000/bucket,bx=[];for(var k=0;k<n;k++)bx.push(k*bucket);
  s.setAttribute('data-bucket-ms',String(bucket));
  lineChart(s,'requests per second',bx,[{name:'sent',cls:'s0',values:sent.map(function(v){return v*per;})},
   {name:'delivered',cls:'s1',values:got.map(function(v){return v*per;})}],'requests per second, in '+bucket+' ms buckets',true,' ms');
  return;}
 lineChart(s,'requests per second',xs,series,'requests per second',true);})();
// 3. Latency.
(function(){var s=section('latency','Latency');var l=R.latency_ms;
 s.appendChild(table([[l.count,l.p50,l.p90,l.p99,l.max,l.mean]],['answers','p50 ms','p90 ms','p99 ms','max ms','mean ms']));
 if(!l.count){s.appendChild(el('p',{class:'muted'},'no answers'));return;}
 function q(k){return ps.map(function(p){return p.latency_ms?p.latency_ms[k]:null;});}
 lineChart(s,'latency per second',xs,[{name:'p50',cls:'s0',values:q('p50')},{name:'p90',cls:'s2',values:q('p90')},
  {name:'p99',cls:'s7',values:q('p99')}],'milliseconds');
 var h=l.histogram;barChart(s,'latency histogram',h.map(function(b){return fmt(b.from_ms,b.from_ms<1?3:1);}),
  h.map(function(b){return b.count;}),'milliseconds (bucket lower bound), answers per bucket');})();
// 4. Lateness.
if(R.run.speed!=='max'){(function(){var s=section('lateness','Lateness');var l=R.lateness_ms;
 s.appendChild(el('p',{class:'muted'},'how long after its planned wall time each attempt was sent'));
 s.appendChild(table([[l.count,l.p50,l.p90,l.p99,l.max]],['attempts','p50 ms','p90 ms','p99 ms','max ms']));})();}
// 5. Errors, retries and faults over time.
(function(){var s=section('errors','Errors, retries and faults');
 var errs=Object.keys(R.errors).map(function(k){return [k.replace(/^http_/,'HTTP '),R.errors[k]];});
 var faults=Object.keys(R.faults).map(function(k){return [k,R.faults[k]];});
 s.appendChild(table([['errors',errs.length?errs.map(function(e){return e[0]+' '+e[1];}).join(', '):'none'],
  ['retries',R.totals.retried],['faults',faults.length?faults.map(function(e){return e[0]+' '+e[1];}).join(', '):'none']]));
 if(!ps.length)return;var kinds={},fk={};ps.forEach(function(p){for(var k in p.errors)kinds[k]=1;for(var f in p.faults)fk[f]=1;});
 var cls=['s7','s4','s8','s3','s2','s6','s5','s0','s1'];var series=[{name:'retries',cls:'s0',values:ps.map(function(p){return p.retries;})}];
 Object.keys(kinds).forEach(function(k,i){series.push({name:'error: '+k.replace(/^http_/,'HTTP '),cls:cls[i%cls.length],
  values:ps.map(function(p){return p.errors[k]||0;})});});
 Object.keys(fk).forEach(function(k,i){series.push({name:'fault: '+k,cls:cls[(i+3)%cls.length],dash:'4 3',
  values:ps.map(function(p){return p.faults[k]||0;})});});
 lineChart(s,'errors, retries and faults per second',xs,series,'per second',true);})();
// 6. The per-call timeline.
var shown=0,anomalous=0;
(function(){var s=section('timeline','Per-call timeline');
 s.appendChild(el('p',{class:'muted'},'showing '+fmt(T.anomalous_shown)+' of '+fmt(T.anomalous_calls)+' calls with anomalies and a seeded sample of '+
  fmt(T.normal_shown)+' of the other '+fmt(T.total_calls-T.anomalous_calls)+' calls (seed '+T.sample_seed+'); '+fmt(T.total_calls)+' calls in the run. '+
  'Each attempt is a dot at its send time and a bar to its answer; colour: delivered, retried, failed, too slow; '+
  '\u00d7 dropped, ring duplicate, \u25b2 reorder (arrived after a delivery that comes later in its call\'s lifecycle), \u25c6 finding, \u25a0 probe (green passed, red failed; hover for its message). '+
  'The letter above each delivery is its event (below). Click a mark for the request and the answer.'));
 var legend=el('p',{id:'event-legend'});event_names.forEach(function(e){var sp=el('span',{'data-code':event_code[e],'data-event':e});
  sp.appendChild(el('b',{},event_code[e]));sp.appendChild(document.createTextNode(' '+e));legend.appendChild(sp);});s.appendChild(legend);
 var key=sv('svg',{viewBox:'0 0 1000 18',style:'max-width:1000px'});var kx=4;
 [['m-delivered','delivered'],['m-retry','failed, retried'],['m-failed','failed'],['m-too_slow','too slow'],['m-rejected','rejected as expected']].forEach(function(k){
  key.appendChild(sv('circle',{cx:kx+4,cy:9,r:4,class:k[0]}));key.appendChild(sv('text',{x:kx+12,y:13},k[1]));kx+=k[1].length*7+30;});
 key.appendChild(sv('path',{d:'M'+kx+' 5l8 8M'+kx+' 13l8-8',class:'m-dropped'}));key.appendChild(sv('text',{x:kx+12,y:13},'dropped'));kx+=70;
 key.appendChild(sv('circle',{cx:kx+4,cy:9,r:6,class:'dup'}));key.appendChild(sv('text',{x:kx+14,y:13},'duplicate'));kx+=86;
 key.appendChild(sv('path',{d:'M'+(kx+4)+' 3l4 8h-8z',class:'reorder'}));key.appendChild(sv('text',{x:kx+12,y:13},'reorder'));kx+=70;
 key.appendChild(sv('path',{d:'M'+(kx+4)+' 3l5 6l-5 6l-5-6z',class:'finding'}));key.appendChild(sv('text',{x:kx+12,y:13},'finding'));kx+=70;
 key.appendChild(sv('rect',{x:kx,y:4,width:9,height:9,class:'probe-bad'}));key.appendChild(sv('text',{x:kx+14,y:13},'probe'));
 s.appendChild(key);
 var f=el('div',{class:'filters'});function pick(label,values){var l=el('label',{},label+' ');var sel=el('select');
  sel.appendChild(el('option',{value:''},'all'));values.forEach(function(v){sel.appendChild(el('option',{value:v},v));});l.appendChild(sel);f.appendChild(l);return sel;}
 var vendors={},events={},outcomes={};T.calls.forEach(function(c){if(c.v)vendors[c.v]=1;c.d.forEach(function(d){events[d.e]=1;outcomes[d.r]=1;});});
 var sv1=pick('vendor',Object.keys(vendors).sort()),se=pick('event',Object.keys(events).sort()),so=pick('outcome',Object.keys(outcomes).sort());
 var only=el('input',{type:'checkbox',id:'only-anomalies'});var ol=el('label',{});ol.appendChild(only);ol.appendChild(document.createTextNode(' only calls with anomalies'));f.appendChild(ol);
 s.appendChild(f);var host=el('div',{id:'timeline-rows'});s.appendChild(host);var detail=el('div',{id:'detail'});s.appendChild(detail);
 var tmax=1;T.calls.forEach(function(c){c.d.forEach(function(d){tmax=Math.max(tmax,d.at);d.t.forEach(function(a){tmax=Math.max(tmax,a.s+a.l);});});(c.p||[]).forEach(function(p){tmax=Math.max(tmax,p.s+p.l);});});
 function outcome(a){if(a.v==='delivered')return 'delivered';if(a.v==='rejected')return 'rejected';if(a.v==='too_slow')return 'too_slow';return a.rt?'retry':'failed';}
 function show(c,d,a){detail.textContent='';detail.appendChild(el('strong',{},c.id+'  '+d.e+'  delivery '+d.k+(d.c?' (duplicate '+d.c+')':'')));
  var facts=[['result',d.r+(d.why?': '+d.why:'')],['faults',d.f.join(', ')||'none'],['planned (virtual ms)',d.pm]];if(d.o)facts.push(['reorder','arrived after a delivery that comes later in its call\'s lifecycle']);
  if(c.fi.length)facts.push(['findings',c.fi.join('; ')]);detail.appendChild(table(facts));
  if(a){detail.appendChild(el('div',{},'attempt '+a.n+': sent at '+fmt(a.s,3)+' ms, answered after '+fmt(a.l,3)+' ms: '+(a.er?a.er:'status '+a.st)+(a.rt?' (will retry)':'')));
   detail.appendChild(el('pre',{},d.m+' '+d.u+'\n'+a.h.map(function(h){return h[0]+': '+h[1];}).join('\n')+'\n\n'+d.b+(d.bc?'\n[body cut at 1 KiB]':'')));
   detail.appendChild(el('div',{},'answer'));detail.appendChild(el('pre',{},a.resp||'(empty)'));}
  else detail.appendChild(el('p',{},'never sent'));}
 function draw(){var fv=sv1.value,fe=se.value,fo=so.value,oa=only.checked;
  var rows=T.calls.filter(function(c){if(fv&&c.v!==fv)return false;if(oa&&!c.a.length)return false;
   if(fe&&!c.d.some(function(d){return d.e===fe;}))return false;if(fo&&!c.d.some(function(d){return d.r===fo;}))return false;return true;});
  var RH=22,L=190,W=page_width(),H=rows.length*RH+24;var svg=sv('svg',{viewBox:'0 0 '+W+' '+H,id:'timeline-svg'});
  function X(t){return L+(W-L-10)*t/tmax;}
  for(var g=0;g<=5;g++){var t=tmax*g/5;svg.appendChild(sv('line',{x1:X(t),x2:X(t),y1:0,y2:H-18,class:'axis'}));
   svg.appendChild(sv('text',{x:X(t),y:H-4,'text-anchor':g===5?'end':'middle'},span(t)));}
  var anomalies=0;rows.forEach(function(c,r){var y=r*RH+RH/2+4;var g=sv('g',{class:'row','data-call':c.id,'data-anomalies':c.a.join(' ')});
   if(c.a.length)anomalies++;g.appendChild(sv('rect',{x:0,y:r*RH,width:W,height:RH,class:'rowbg',fill:'transparent'}));
   var lab=sv('text',{x:4,y:y+4,class:'rowlabel'},(c.id.length>22?c.id.slice(0,21)+'\u2026':c.id));lab.appendChild(sv('title',{},c.id+(c.v?' ('+c.v+')':'')+(c.a.length?': '+c.a.join(', '):'')));g.appendChild(lab);
   var lo=Infinity,hi=0;c.d.forEach(function(d){lo=Math.min(lo,d.at);d.t.forEach(function(a){hi=Math.max(hi,a.s+a.l);});hi=Math.max(hi,d.at);});(c.p||[]).forEach(function(p){hi=Math.max(hi,p.s+p.l);});
   g.appendChild(sv('line',{x1:X(lo),x2:X(hi),y1:y,y2:y,class:'span'}));
   // Each delivery's event letter, over its first mark.
   function label(x,d){var t=sv('text',{x:x,y:y-6,'text-anchor':'middle',class:'evlabel','data-event':d.e},event_code[d.e]);
    t.appendChild(sv('title',{},d.e));g.appendChild(t);}
   c.d.forEach(function(d){if(!d.t.length){var x=X(d.at);label(x,d);var m=sv('path',{d:'M'+(x-4)+' '+(y-4)+'L'+(x+4)+' '+(y+4)+'M'+(x-4)+' '+(y+4)+'L'+(x+4)+' '+(y-4),
      class:'mark m-'+(d.r==='dropped'?'dropped':'cancelled'),'data-kind':d.r});m.appendChild(sv('title',{},d.e+': '+d.r));
      m.addEventListener('click',function(){show(c,d,null);});g.appendChild(m);return;}
    label(X(d.t[0].s),d);
    d.t.forEach(function(a){var o=outcome(a);var x1=X(a.s),x2=Math.max(X(a.s+a.l),x1+1);
     var m=sv('g',{class:'mark','data-kind':o});m.appendChild(sv('rect',{x:x1,y:y-2,width:x2-x1,height:4,class:'m-'+o}));
     m.appendChild(sv('circle',{cx:x1,cy:y,r:3.5,class:'m-'+o}));if(d.c>0)m.appendChild(sv('circle',{cx:x1,cy:y,r:6,class:'dup'}));
     if(d.o&&a===d.t[d.t.length-1])m.appendChild(sv('path',{d:'M'+x2+' '+(y-8)+'l4 6h-8z',class:'reorder'}));
     m.appendChild(sv('title',{},d.e+' #'+a.n+': '+(a.er||a.st)+' '+o+(d.c?' (duplicate)':'')+(d.o?' (reorder)':'')));
     m.addEventListener('click',function(){show(c,d,a);});g.appendChild(m);});});
   (c.p||[]).forEach(function(p){var x=X(p.s);var m=sv('rect',{x:x-4,y:y-4,width:8,height:8,class:'mark '+(p.ok?'probe-ok':'probe-bad'),'data-kind':'probe'});
    m.appendChild(sv('title',{},'probe '+p.m+' '+p.u+': '+(p.ok?'passed':p.msg)+(p.n>1?' ('+p.n+' polls)':'')));
    m.addEventListener('click',function(){detail.textContent='';detail.appendChild(el('strong',{},c.id+'  probe '+p.m+' '+p.u));
     detail.appendChild(table([['verdict',p.ok?'passed':'failed: '+p.msg],['status',p.er||String(p.st)],['polls',String(p.n)]]));
     detail.appendChild(el('div',{},'answer'));detail.appendChild(el('pre',{},p.a||'(empty)'));});g.appendChild(m);});
   if(c.fi.length){var x=X(hi)+8;var m=sv('path',{d:'M'+x+' '+(y-5)+'l5 5l-5 5l-5-5z',class:'mark finding','data-kind':'finding'});
    m.appendChild(sv('title',{},c.fi.join('; ')));m.addEventListener('click',function(){show(c,c.d[c.d.length-1],c.d[c.d.length-1].t[0]||null);});g.appendChild(m);}
   svg.appendChild(g);});
  host.textContent='';host.appendChild(svg);host.setAttribute('data-rows',String(rows.length));host.setAttribute('data-anomalous-rows',String(anomalies));
  return {rows:rows.length,anomalies:anomalies};}
 [sv1,se,so,only].forEach(function(x){x.addEventListener('change',draw);});
 var first=draw();shown=first.rows;anomalous=first.anomalies;charts++;})();
// 7. Findings and probe failures.
(function(){var s=section('findings','Findings and probe failures');
 var rows=R.findings.map(function(f){return ['finding',f.call_id,f.event,f.message];});
 R.probes.forEach(function(p){if(!p.passed)rows.push(['probe',p.call_id,p.url,p.message]);});
 (R.failing_calls||[]).forEach(function(c){rows.push(['failed call',c.call_id,c.failures+' failure'+(c.failures>1?'s':''),c.first]);});
 if(!rows.length){s.appendChild(el('p',{class:'muted'},'none'));}else s.appendChild(table(rows,['kind','call','event / url','message']));
 s.setAttribute('data-rows',String(rows.length));})();
// "#only=timeline" shows one section (for screenshots and printing one part).
var only_match=/only=([a-z]+)/.exec(location.hash);if(only_match){Array.prototype.forEach.call(document.querySelectorAll('section'),
 function(s){if(s.id!=='section-'+only_match[1])s.style.display='none';});}
var b=document.body;b.setAttribute('data-calls',String(shown));b.setAttribute('data-anomalies',String(anomalous));
b.setAttribute('data-charts',String(charts));
// Milliseconds from the start of navigation to the page fully drawn (for the benchmark).
b.setAttribute('data-render-ms',String(Math.round(performance.now())));b.setAttribute('data-ready','1');
})();
)CALLHOOK";

}  // namespace callhook::report
