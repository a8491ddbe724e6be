using CalfPainTracker.Operations;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CalfPainTracker.Tests.Operations;

/// <summary>How the service's connections are set up, where the connection string leaves it to the service.</summary>
public sealed class DocumentDatabasesTests
{
    [Theory]
    [InlineData("Host=db.example;Username=calfpain", DocumentDatabases.PreparedStatements)]
    [InlineData("Host=db.example;Username=calfpain;Max Auto Prepare=0", 0)]
    [InlineData("Host=db.example;Username=calfpain;MaxAutoPrepare=8", 8)]
    public void Statements_are_prepared_unless_the_connection_string_says_otherwise(string connectionString, int prepared)
    {
        using var dataSource = DocumentDatabases.Connector(new ConfigurationBuilder().Build())(connectionString);
        Assert.Equal(prepared, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
    }
}
