using Geometrize.Networks.Data;
using Geometrize.Tests.Imaging;

namespace Geometrize.Tests.Networks;

/// <summary>CSV tables: headers, target selection, class labels, delimiters, and line-numbered errors.</summary>
public class CsvDatasetTests
{
    private static Dataset Load(string text, string target, LearningTask task, CsvHeader header = CsvHeader.Auto)
    {
        using var tmp = new TempDir();
        string path = tmp.File("table.csv");
        File.WriteAllText(path, text);
        return CsvDataset.Load(path, target, task, header);
    }

    private static void Fails(string text, string target, LearningTask task, params string[] because)
    {
        using var tmp = new TempDir();
        string path = tmp.File("bad.csv");
        File.WriteAllText(path, text);
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(path, target, task));
        Assert.StartsWith(path, e.Message);
        foreach (string b in because) Assert.Contains(b, e.Message);
    }

    [Fact]
    public void NamedTargetWithStringClasses()
    {
        var d = Load("x,species,y\n1.5,setosa,2\n-3e-1,virginica,4\n\n0,setosa,6\n", "species", LearningTask.Classification);
        Assert.Equal("table", d.Name);
        Assert.Equal(3, d.Count);
        Assert.Equal([2], d.FeatureShape);
        Assert.Equal([1.5f, 2f, -0.3f, 4f, 0f, 6f], d.Features.ToArray());
        Assert.Equal(["setosa", "virginica"], d.ClassNames!);
        Assert.Equal([0, 1, 0], d.Labels.ToArray());
    }

    [Fact]
    public void NumericClassesSortNumerically()
    {
        var d = Load("a,label\n0,10\n1,2\n2,-1\n3,2\n", "label", LearningTask.Classification);
        Assert.Equal(["-1", "2", "10"], d.ClassNames!);
        Assert.Equal([2, 1, 0, 1], d.Labels.ToArray());
    }

    [Fact]
    public void RegressionByIndexWithoutHeader()
    {
        var d = Load("1,2,0.5\n3,4,1.5\n", "-1", LearningTask.Regression);
        Assert.Equal(LearningTask.Regression, d.Task);
        Assert.Equal([0.5f, 1.5f], d.Targets.ToArray());
        Assert.Equal([1f, 2f, 3f, 4f], d.Features.ToArray());
        var first = Load("1,2,0.5\n3,4,1.5\n", "0", LearningTask.Regression);
        Assert.Equal([1f, 3f], first.Targets.ToArray());
        Assert.Equal([2f, 0.5f, 4f, 1.5f], first.Features.ToArray());
        // A numeric first row read as a header on request.
        var h = Load("1,2,3\n3,4,1.5\n", "3", LearningTask.Regression, CsvHeader.Present);
        Assert.Equal(1, h.Count);
        Assert.Equal([1.5f], h.Targets.ToArray());
    }

    [Fact]
    public void SemicolonsTabsAndQuotes()
    {
        var d = Load("\"width; cm\";\"class\"\n1.25;a\n2;b\n", "class", LearningTask.Classification);
        Assert.Equal([1.25f, 2f], d.Features.ToArray());
        var t = Load("u\tv\tt\n1\t2\t3\n", "T", LearningTask.Regression);
        Assert.Equal([3f], t.Targets.ToArray());
    }

    [Fact]
    public void EmptyAndHeaderOnlyFiles()
    {
        Fails("", "y", LearningTask.Regression, "empty");
        Fails("\n  \n", "y", LearningTask.Regression, "empty");
        Fails("x,y\n", "y", LearningTask.Regression, "no data rows");
    }

    [Fact]
    public void RaggedRowNamesItsLine()
    {
        Fails("x,y\n1,2\n\n3,4,5\n", "y", LearningTask.Regression, "line 4", "3 fields", "2");
    }

    [Fact]
    public void NonNumericFeatureNamesLineAndColumn()
    {
        Fails("x,z,y\n1,2,0\n3,abc,1\n", "y", LearningTask.Classification, "line 3", "'z'", "'abc'");
        Fails("x,y\n1,0\n1.0.0,1\n", "y", LearningTask.Classification, "line 3");
        Fails("x,y\nNaN,0\n", "y", LearningTask.Classification, "line 2", "finite");
        Fails("x,y\n1e39,0\n", "y", LearningTask.Classification, "line 2", "finite");
    }

    [Fact]
    public void BadTargets()
    {
        Fails("x,y\n1,2\n", "label", LearningTask.Regression, "no column 'label'", "'x'", "'y'");
        Fails("x,y\n1,2\n", "5", LearningTask.Regression, "index 5");
        Fails("x,y\n1,cat\n", "y", LearningTask.Regression, "line 2", "'cat'");
        Fails("x,y\n1,\n", "y", LearningTask.Classification, "line 2", "empty");
        Fails("x,y\n1,1\n2,1.0\n", "y", LearningTask.Classification, "same class number");
        Fails("x,\"y\n1,1\n", "y", LearningTask.Classification, "line 1", "quote");
        Fails("x\n1\n", "x", LearningTask.Regression, "at least one feature");
    }

    [Fact]
    public void MissingFile()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(tmp.File("none.csv"), "y", LearningTask.Regression));
        Assert.Contains("not found", e.Message);
        Assert.Throws<InvalidParameterException>(() => Load("x,y\n1,2\n", " ", LearningTask.Regression));
    }
}
